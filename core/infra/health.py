"""What /healthz checks: that the database takes a write, that the configured
keys open its data, and Redis when one is configured.

A load balancer takes an instance out of rotation on 503: a database it cannot
reach or write to (a full disk, a read-only failover) does that, and so do
keys that cannot read the data, since every request taken would be lost to
the team. Redis holds the shared rate-limit counters; without it each process
counts for itself, which is "degraded", not down. Each check is short (one
round trip, a one second timeout for Redis) and its answer names no data."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.infra import clock

REDIS_TIMEOUT_SECONDS = 1.0
_HEALTH_ROW = 1
# How long a write refused for want of space keeps this process "not writable".
# PostgreSQL with a full data disk still takes the probe's small UPDATE (the row
# fits its page) while every request that needs a new page fails. Short, so a
# freed disk brings the instance back soon; long enough for a load balancer's
# checks (every few seconds) to see it.
STORAGE_FULL_MEMORY = timedelta(seconds=15)
_storage_full_at: datetime | None = None


def is_storage_full(error: BaseException) -> bool:
    """Whether a database error says the disk (or the database file) is full:
    PostgreSQL's SQLSTATE 53100 (disk_full), SQLite's SQLITE_FULL."""
    original = getattr(error, "orig", error)
    if getattr(original, "sqlstate", None) == "53100":
        return True
    # By the error's code, never its text, which may quote what was sent.
    return getattr(original, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def note_storage_full(at: datetime) -> None:
    """A request's write was refused for want of space (web.security calls this)."""
    global _storage_full_at
    _storage_full_at = at


def _storage_recently_full(now: datetime) -> bool:
    return _storage_full_at is not None and now - _storage_full_at < STORAGE_FULL_MEMORY


def check_database(
    new_session: Callable[[], Session], keys_open_the_data: Callable[[Session], bool]
) -> tuple[str, bool]:
    """("ok" | "unreachable" | "not writable", whether the keys open the data),
    in one write transaction of its own."""
    session = new_session()
    try:
        try:
            keys_ok = keys_open_the_data(session)
        except Exception:  # noqa: BLE001 - any failure to read is reported
            return "unreachable", False
        try:
            _write(session)
            # The commit is where a full disk fails.
            session.commit()
        except Exception:  # noqa: BLE001 - any failure to write is reported
            return "not writable", keys_ok
        if _storage_recently_full(clock.now()):
            return "not writable", keys_ok
        return "ok", keys_ok
    finally:
        with suppress(Exception):
            session.close()


def _write(session: Session) -> None:
    values = {"id": _HEALTH_ROW, "now": clock.now()}
    updated = session.execute(
        text("UPDATE health_writes SET written_at = :now WHERE id = :id"), values
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        session.execute(
            text("INSERT INTO health_writes (id, written_at) VALUES (:id, :now)"), values
        )


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
    new_session: Callable[[], Session],
    keys_open_the_data: Callable[[Session], bool],
    redis_url: str | None,
    logger: logging.Logger,
) -> tuple[dict[str, str], int]:
    """The body and status of /healthz. Without Redis the rate limits count per
    process (web.security), so the instance still serves, and taking every
    instance out at once would take the whole service down: Redis is then
    reported "degraded", and logged."""
    database, keys_ok = check_database(new_session, keys_open_the_data)
    body = {"database": database}
    if database != "ok":
        logger.error("health check: database %s", database)
    if database != "unreachable":
        body["data_keys"] = "ok" if keys_ok else "wrong"
        if not keys_ok:
            logger.error("health check: the data keys cannot open this database's data")
    if redis_url:
        body["redis"] = "ok" if redis_ok(redis_url) else "degraded"
        if body["redis"] != "ok":
            logger.warning("health check: redis unreachable; rate limits count per process")
    healthy = database == "ok" and keys_ok
    return {"status": "ok" if healthy else "error", **body}, 200 if healthy else 503
