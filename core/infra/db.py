"""Engine and sessions.

SQLite (the embedded default) is tuned so that concurrent workers never see
"database is locked": WAL lets readers run beside one writer, busy_timeout makes
a second writer wait instead of failing, and a write transaction starts with
BEGIN IMMEDIATE, so it takes the write lock before it reads. (A deferred
transaction that reads first and writes later can fail at once, whatever the
timeout, because its snapshot is stale.) Reads (GET, HEAD) use deferred
transactions so pages never wait on writers. Writers to a database file take
turns at a lock the kernel hands on (core/infra/sqlite_writer.py), instead of
SQLite's sleeping busy handler.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core.infra import sqlite_writer

SQLITE_BUSY_TIMEOUT_MS = 15_000
BEGIN_IMMEDIATE_OPTION = "fjc_begin_immediate"
PING_AFTER_IDLE_S = 1.0


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below decide how transactions start,
        # instead of the sqlite3 module's own implicit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten, so an erased request leaves no old pages behind.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(BEGIN_IMMEDIATE_OPTION):
            dbapi_connection = connection.connection.dbapi_connection
            if isinstance(dbapi_connection, sqlite_writer.TakingTurns):
                dbapi_connection.take_write_turn()
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    # hide_parameters: a database error message (logged with its traceback)
    # would otherwise quote the values of the failed statement.
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        timeout_s = SQLITE_BUSY_TIMEOUT_MS / 1000
        connect_args: dict[str, object] = {"timeout": timeout_s}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            lock_path = sqlite_writer.lock_path_of(parsed.database)
            connect_args["factory"] = sqlite_writer.connection_class(lock_path, timeout_s)
        engine = create_engine(url, connect_args=connect_args, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=10, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has lain idle for a
    while: one that came back a moment ago is as good as the last answer it
    carried. SQLAlchemy's pool_pre_ping asks on every checkout, a round trip
    per request (about 130 µs of this process's CPU and 0.4 ms of waiting,
    docs/performance.md). A connection broken while in use fails its request
    (the calm error page) and SQLAlchemy then drops the whole pool; one that
    broke while idle (the database restarted at night) is replaced here,
    unseen."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is not None and time.monotonic() - checked_in_at < PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another.
            raise exc.DisconnectionError() from error


class Sessions:
    """The two kinds of session on one engine: deferred reads, immediate writes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        # On PostgreSQL the option is ignored; MVCC row locks do the work there.
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(**{BEGIN_IMMEDIATE_OPTION: True}), expire_on_commit=False
        )

    def session(self, *, writing: bool) -> Session:
        return (self._writer if writing else self._reader)()


@contextmanager
def write_transaction(sessions: Sessions) -> Iterator[Session]:
    """A write transaction of its own, committed on success, rolled back on error."""
    session = sessions.session(writing=True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
