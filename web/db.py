"""The database bound to Flask: one session per request, read or write by method.

Requests that may write (POST) open their transaction with BEGIN IMMEDIATE on
SQLite; GET and HEAD read in deferred transactions, so pages never wait on
writers (core/infra/db.py says why).
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.infra.db import Sessions, make_engine, write_transaction

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Database:
    """Factory-style subsystem: one per app, reachable as `db` in request code."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["FJC_DATABASE_URL"])
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

    def get_engine(self) -> Engine:
        return self._bound().engine

    @staticmethod
    def _remove_session(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
