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

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core.infra import sqlite_writer

SQLITE_BUSY_TIMEOUT_MS = 15_000
BEGIN_IMMEDIATE_OPTION = "fjc_begin_immediate"
PING_AFTER_IDLE_S = 1.0
# Kept in the pooled connection's info: whether its transaction has run
# anything but SELECT since it began (commit_if_only_read).
ONLY_READ = "fjc_only_read"
# Kept in a session's info: the connection its transaction runs on.
SESSION_CONNECTION = "fjc_connection"


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
    if engine.dialect.driver == "psycopg":
        _track_reads(engine)
    return engine


def _track_reads(engine: Engine) -> None:
    """Note on each connection whether its transaction has only read, for
    commit_if_only_read. Any statement that does not start with SELECT counts
    as a write (a WITH may hold an INSERT; SET, SHOW and the rest are rare)."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.info[ONLY_READ] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _parameters, _context, _executemany):
        if connection.info.get(ONLY_READ) and statement.lstrip()[:6].upper() != "SELECT":
            connection.info[ONLY_READ] = False


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
            # COMMIT, not ROLLBACK: the same for a SELECT, and psycopg forgets
            # its prepared statements at every ROLLBACK (commit_if_only_read).
            dbapi_connection.commit()
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another.
            raise exc.DisconnectionError() from error


class Sessions:
    """The two kinds of session on one engine: deferred reads, immediate writes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        # On PostgreSQL the option is ignored; MVCC row locks do the work there.
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        # The engine of write transactions (BEGIN IMMEDIATE on SQLite), for a
        # session or a plain connection; and the same pool's connections in
        # autocommit, a statement being a transaction of its own
        # (web.db.Database.single_statement).
        self.writer_engine = engine.execution_options(**{BEGIN_IMMEDIATE_OPTION: True})
        self.autocommit_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._writer = sessionmaker(bind=self.writer_engine, expire_on_commit=False)

        if engine.dialect.driver == "psycopg":
            for maker in (self._reader, self._writer):
                event.listen(maker, "after_begin", _remember_connection)

    def session(self, *, writing: bool) -> Session:
        return (self._writer if writing else self._reader)()


def _remember_connection(session: Session, _transaction, connection: Connection) -> None:
    session.info[SESSION_CONNECTION] = connection


def commit_if_only_read(session: Session) -> None:
    """End the session's transaction with COMMIT when it has run only SELECTs,
    before the session is closed (which would end it with ROLLBACK).

    For a transaction that only read, COMMIT and ROLLBACK do the same: nothing
    was written, and locks and SET LOCAL end with either. But psycopg forgets
    every prepared statement at a ROLLBACK, so with every read request ending
    in one, no statement ever reached its fifth run on a connection, and
    PostgreSQL parsed and planned each statement of every page again
    (docs/performance.md). The COMMIT is sent on the driver's connection: the
    ORM's commit would flush objects a request added and did not mean to keep,
    and SQLAlchemy's rollback at close then finds nothing to end. A transaction
    that wrote, or failed, is left to that rollback as before."""
    connection = session.info.pop(SESSION_CONNECTION, None)
    if connection is None or connection.closed or not connection.in_transaction():
        return
    if not connection.info.get(ONLY_READ):
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None:
        return
    from psycopg.pq import TransactionStatus  # only installed with the postgres extra

    if dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
        dbapi_connection.commit()


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
