"""What /healthz checks: the database, and Redis when one is configured.

A load balancer takes an instance out of rotation on 503: only a database it
cannot reach does that. Redis holds the shared rate-limit counters; without
it each process counts for itself, which is "degraded", not down. Each check
is short (one round trip, a one second timeout) and its answer names no data."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.orm import Session

REDIS_TIMEOUT_SECONDS = 1.0


def database_ok(session: Session) -> bool:
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
    return True


def redis_ok(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def report(
    session: Session, redis_url: str | None, logger: logging.Logger
) -> tuple[dict[str, str], int]:
    """The body and status of /healthz. Only the database decides: without
    Redis the rate limits count per process (web.security), so the instance
    still serves, and taking every instance out at once would take the whole
    service down. Redis is then reported "degraded", and logged."""
    body = {"database": "ok" if database_ok(session) else "unreachable"}
    if body["database"] != "ok":
        logger.error("health check: database unreachable")
    if redis_url:
        body["redis"] = "ok" if redis_ok(redis_url) else "degraded"
        if body["redis"] != "ok":
            logger.warning("health check: redis unreachable; rate limits count per process")
    healthy = body["database"] == "ok"
    return {"status": "ok" if healthy else "error", **body}, 200 if healthy else 503
