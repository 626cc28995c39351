"""PostgreSQL connections are tested before use only after lying idle: a
connection broken while idle is replaced unseen, and a busy one costs no
extra round trip."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.infra import db as infra_db
from core.infra.db import make_engine

pytestmark = pytest.mark.postgres_only


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(database_url: str, pid: int) -> None:
    admin = make_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_broken_while_idle_is_replaced_before_use(database_url, monkeypatch):
    engine = make_engine(database_url, pool_size=1)
    try:
        broken = _backend_pid(engine)
        _terminate(database_url, broken)
        monkeypatch.setattr(infra_db, "PING_AFTER_IDLE_S", 0.0)  # it has lain idle
        assert _backend_pid(engine) != broken  # no error: a new connection answered
    finally:
        engine.dispose()


def test_a_connection_back_a_moment_ago_is_used_without_a_ping(database_url, monkeypatch):
    engine = make_engine(database_url, pool_size=1)
    pings = []
    try:
        _backend_pid(engine)
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
        real_cursor = type(raw).cursor
        monkeypatch.setattr(infra_db, "PING_AFTER_IDLE_S", 3600.0)

        def counting_cursor(self, *args, **kwargs):
            pings.append(1)
            return real_cursor(self, *args, **kwargs)

        # Every statement of SQLAlchemy's opens a cursor too: count only the
        # ones opened while checking a connection out.
        with monkeypatch.context() as patch:
            patch.setattr(type(raw), "cursor", counting_cursor)
            connection = engine.connect()
            connection.connection  # noqa: B018 - checks the connection out
            checked_out_with = len(pings)
            connection.close()
        assert checked_out_with == 0
    finally:
        engine.dispose()
