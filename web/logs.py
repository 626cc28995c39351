"""Structured request logs that hold no personal data.

A line says which endpoint answered, how, and how fast. It never holds the
path's query string, form values, the client's address or a cookie, because
the people using the portal must not be traceable through our logs.
"""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, g, request

logger = logging.getLogger("fjc.request")


# SQLAlchemy logs result rows at DEBUG after the column types decrypted them.
# It keeps its own top logger at WARN, but a logging set-up that turns
# "sqlalchemy" to DEBUG while looking into a problem would write names and
# stories to the log; these stay at WARNING unless set explicitly.
QUIET_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm")


def init_app(app: Flask) -> None:
    for name in QUIET_LOGGERS:
        if logging.getLogger(name).level == logging.NOTSET:
            logging.getLogger(name).setLevel(logging.WARNING)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    def _log_exception(exc_info) -> None:
        # Flask's own line names the path ("Exception on /staff/cases/12 [GET]"),
        # and a path may carry an id or a token; the endpoint says enough.
        app.logger.error(
            "Exception at endpoint %s [%s]", request.endpoint, request.method, exc_info=exc_info
        )

    app.log_exception = _log_exception  # type: ignore[method-assign]

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else None
        logger.info(
            json.dumps(
                {
                    "event": "request",
                    "method": request.method,
                    # The endpoint name, not the path: paths may carry ids.
                    "endpoint": request.endpoint,
                    "status": response.status_code,
                    "ms": round(elapsed_ms, 1) if elapsed_ms is not None else None,
                },
                sort_keys=True,
            )
        )
        return response
