"""The database bound to Flask: one session per request, read or write by method.

Requests that may write (POST) open their transaction with BEGIN IMMEDIATE on
SQLite; GET and HEAD read in deferred transactions, so pages never wait on
writers (core/infra/db.py says why).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from core.infra.db import Sessions, commit_if_only_read, make_engine, write_transaction

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Database:
    """Factory-style subsystem: one per app, reachable as `db` in request code."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(
            app.config["FJC_DATABASE_URL"], pool_size=app.config.get("FJC_DATABASE_POOL_SIZE", 5)
        )
        app.extensions["fjc_db"] = Sessions(engine)
        app.teardown_appcontext(self._remove_session)

    @staticmethod
    def _bound() -> Sessions:
        return current_app.extensions["fjc_db"]

    @property
    def session(self) -> Session:
        """The session of this request (or app context), created on first use."""
        if "db_session" not in g:
            writing = not (has_request_context() and request.method in READ_METHODS)
            g.db_session = self._bound().session(writing=writing)
        return g.db_session

    def writing(self):
        """A separate write transaction, committed on success, for CLI and jobs."""
        return write_transaction(self._bound())

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read session of its own: a live stream asks the database
        between waits and must not hold a pooled connection while it waits."""
        session = self._bound().session(writing=False)
        try:
            yield session
            commit_if_only_read(session)
        finally:
            session.close()

    def release(self) -> None:
        """Give the request's own session back now (a live stream lives long)."""
        self._remove_session()

    @contextmanager
    def single_statement(self) -> Iterator[Connection]:
        """A connection for one statement that is a whole transaction by
        itself (opening a mailbox with its code), committed when the block ends.

        PostgreSQL: a pooled connection in autocommit, so the statement is its
        own transaction: one round trip where BEGIN, the statement and COMMIT
        were three, each costing this process and the database CPU. SQLite:
        a write transaction (BEGIN IMMEDIATE and the writers' turn, as every
        write session's, core/infra/db.py) on a plain connection, committed
        when the block ends: an ORM session around one statement (made,
        begun, committed, closed at teardown) cost about 7 % of the return
        POST's CPU. Once the request's own session is open it is used
        instead: its connection may hold the write lock already, and a
        second connection would wait for it."""
        bound = self._bound()
        if bound.engine.dialect.name == "postgresql":
            with bound.autocommit_engine.connect() as connection:
                yield connection
            return
        if "db_session" in g:
            session = g.db_session
            yield session.connection()
            session.commit()
            return
        with bound.writer_engine.begin() as connection:
            yield connection

    def new_write_session(self) -> Session:
        """A write session outside the request's own (the caller closes it)."""
        return self._bound().session(writing=True)

    def get_engine(self) -> Engine:
        return self._bound().engine

    @staticmethod
    def _remove_session(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        try:
            commit_if_only_read(session)
            session.close()
        except Exception:  # noqa: BLE001 - the answer is already made
            # A connection that died mid-request fails on its rollback here,
            # after the (calm) page was made: raising now would replace that
            # page with the server's bare 500. The pool drops the connection.
            current_app.logger.warning("database connection lost; it is discarded")
            session.invalidate()


db = Database()
