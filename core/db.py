"""Engine and sessions.

SQLite (the embedded default) is tuned so that concurrent workers never see
"database is locked": WAL lets readers run beside one writer, busy_timeout makes
a second writer wait instead of failing, and a write transaction starts with
BEGIN IMMEDIATE, so it takes the write lock before it reads. (A deferred
transaction that reads first and writes later can fail at once, whatever the
timeout, because its snapshot is stale.) Reads (GET, HEAD) use deferred
transactions so pages never wait on writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BEGIN_IMMEDIATE_OPTION = "fjc_begin_immediate"


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
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    # hide_parameters: a database error message (logged with its traceback)
    # would otherwise quote the values of the failed statement.
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True
    )


class Database:
    """Factory-style subsystem: one per app, reachable as `db` in request code."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["FJC_DATABASE_URL"])
        app.extensions["fjc_db"] = _Bound(engine)
        app.teardown_appcontext(self._remove_session)

    @staticmethod
    def _bound() -> _Bound:
        return current_app.extensions["fjc_db"]

    @property
    def session(self) -> Session:
        """The session of this request (or app context), created on first use."""
        if "db_session" not in g:
            writing = not (has_request_context() and request.method in READ_METHODS)
            g.db_session = self._bound().session(writing=writing)
        return g.db_session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A separate write transaction, committed on success, for CLI and jobs."""
        session = self._bound().session(writing=True)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def get_engine(self) -> Engine:
        return self._bound().engine

    @staticmethod
    def _remove_session(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


class _Bound:
    def __init__(self, engine: Engine):
        self.engine = engine
        # On PostgreSQL the option is ignored; MVCC row locks do the work there.
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(**{BEGIN_IMMEDIATE_OPTION: True}), expire_on_commit=False
        )

    def session(self, *, writing: bool) -> Session:
        return (self._writer if writing else self._reader)()


db = Database()
