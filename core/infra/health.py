"""What /healthz checks: the database, and Redis when one is configured.

A load balancer takes an instance out of rotation on 503. Redis holds the
shared rate-limit counters; an instance that cannot reach it would refuse or
miscount, so it is unhealthy too. Each check is short (one round trip, a one
second timeout) and its answer names no data."""

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
    """The body and status of /healthz."""
    checks = {"database": database_ok(session)}
    if redis_url:
        checks["redis"] = redis_ok(redis_url)
    for name, healthy in checks.items():
        if not healthy:
            logger.error("health check: %s unreachable", name)
    body = {name: "ok" if healthy else "unreachable" for name, healthy in checks.items()}
    healthy = all(checks.values())
    return {"status": "ok" if healthy else "error", **body}, 200 if healthy else 503
