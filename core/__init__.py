"""The shared kernel: the application factory and the subsystems both faces use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify

from core.config import PROJECT_ROOT, ConfigError, load_config

__all__ = ["ConfigError", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from FJC_* variables; `config` overrides them (tests)."""
    settings = load_config(overrides=config)
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=settings["INSTANCE_DIR"],
    )
    app.config.update(settings)

    from core import cli, crypto, health, i18n, logs, security
    from core.db import db

    crypto.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    cli.init_app(app)
    _behind_proxies(app)

    import backoffice
    import portal

    portal.init_app(app)
    backoffice.init_app(app)

    @app.get("/healthz")
    def healthz():
        body, status = health.report(app)
        return jsonify(body), status

    return app


def _behind_proxies(app: Flask) -> None:
    """Trust X-Forwarded-For/Proto/Host from exactly FJC_PROXY_COUNT proxies, and
    say at start when rate limits cannot be shared between processes."""
    proxies = app.config["FJC_PROXY_COUNT"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if app.config["FJC_ENV"] == "production" and not app.config["FJC_REDIS_URL"]:
        # Not refused: the sign-in throttle lives in the database and holds anyway;
        # but each worker then counts the portal's limits on its own.
        app.logger.warning(
            "FJC_REDIS_URL is not set: rate-limit counters are kept per worker process, "
            "so with N workers a client gets N times the limits"
        )
