"""The application factory: the only module that imports every face.

Layers, from the top down (docs/development.md): this module -> portal, backoffice,
cli -> web -> core. Arrows point down only; `make lint` checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, abort, current_app, jsonify, request
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

import backoffice
import cli
import partner
import portal
from core.casework import risk
from core.governance import key_check
from core.infra import health
from core.infra.config import PROJECT_ROOT, ConfigError, load_config
from core.infra.crypto import configure_keyring
from core.network import centre_keys
from core.network.centres import NETWORK_EXTENSION, CentreFileError, load_centre_file
from web import (
    TEMPLATES_DIR,
    assets,
    forms,
    fragments,
    i18n,
    live,
    logs,
    security,
    sessions,
    shared_pages,
    urls,
)
from web.db import READ_METHODS, db

__all__ = ["ConfigError", "create_app"]

# Whether this process proved that its keys open the stored data.
KEYS_VERIFIED = "fjc_keys_verified"


class _App(Flask):
    """Flask, minus one check repeated on every request."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync_callables: dict[Any, Any] = {}

    def ensure_sync(self, func):
        # Flask asks inspect.iscoroutinefunction again for each hook and view
        # of every request (about fifteen a page); the answer for a function
        # never changes, so it is looked up once.
        found = self._sync_callables.get(func)
        if found is None:
            found = self._sync_callables[func] = super().ensure_sync(func)
        return found


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from FJC_* variables; `config` overrides them (tests)."""
    settings = load_config(overrides=config)
    app = _App(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(TEMPLATES_DIR),
        instance_path=settings["INSTANCE_DIR"],
    )
    app.config.update(settings)

    app.extensions["fjc_keyring"] = configure_keyring(
        app.config["FJC_DATA_KEYS"],
        app.config["FJC_INDEX_KEY"],
        app.config["SECRET_KEY"],
        app.config["FJC_AUDIT_KEY"],
        app.config["FJC_CENTRE_DATA_KEYS"],
    )
    urls.init_app(app)
    sessions.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    live.init_app(app)
    forms.init_app(app)
    fragments.init_app(app)
    shared_pages.init_app(app)
    logs.init_app(app)
    cli.init_app(app)
    _behind_proxies(app)

    portal.init_app(app)
    backoffice.init_app(app)
    partner.init_app(app)
    # A broken instrument file stops the start, naming the file, not a case page later.
    risk.current(app.config["FJC_RISK_INSTRUMENT"])
    # So does a centre file that cannot route every request to one centre.
    try:
        app.extensions[NETWORK_EXTENSION] = load_centre_file(app.config["FJC_CENTRE_FILE"])
    except CentreFileError as exc:
        raise ConfigError(str(exc)) from None
    for variable in centre_keys.without_centre(
        app.extensions[NETWORK_EXTENSION], app.config["FJC_CENTRE_DATA_KEYS"]
    ):
        # Kept on purpose for a centre that left the file (its data must stay
        # readable until export-centre and erase-centre), or a typo: say so.
        app.logger.warning("%s names no centre in the centre file", variable)
    app.extensions[KEYS_VERIFIED] = not app.config["FJC_CHECK_KEYS"]
    if app.config["FJC_CHECK_KEYS"]:
        _keys_open_the_data(app)
    app.before_request(_writes_wait_for_the_key_check)

    @app.get("/healthz")
    def healthz():
        body, status = health.report(
            db.new_write_session, key_check.verify, app.config["FJC_REDIS_URL"], app.logger
        )
        return jsonify(body), status

    return app


def _keys_open_the_data(app: Flask) -> None:
    """Refuse to start (ConfigError, one line) when the configured keys cannot
    open the data already stored; seal a canary on a database that has none."""
    with app.app_context():
        try:
            if not inspect(db.get_engine()).has_table("key_canaries"):
                return  # not migrated yet: `migrate` seals it
            with db.writing() as session:
                key_check.check_or_seal(session)
            app.extensions[KEYS_VERIFIED] = True
        except key_check.WrongKeys as exc:
            db.get_engine().dispose()  # the app is not made: nothing else closes it
            raise ConfigError(str(exc)) from None
        except SQLAlchemyError as exc:
            # The database may come up after the app: the first write checks then.
            app.logger.warning(
                "the database did not answer at start (%s); writes wait for the key check",
                type(exc).__name__,
            )


def _writes_wait_for_the_key_check():
    """A process that could not check its keys at start (the database was
    down) stores nothing until they are proved: a request stored under a wrong
    key could never be read. Reads go on; a refused write gets the calm 503."""
    if current_app.extensions[KEYS_VERIFIED] or request.method in READ_METHODS:
        return
    if not key_check.verify(db.session):
        current_app.logger.error("the data keys cannot open this database's data; write refused")
        abort(503)
    current_app.extensions[KEYS_VERIFIED] = True


def _behind_proxies(app: Flask) -> None:
    """Trust X-Forwarded-For/Proto/Host from exactly FJC_PROXY_COUNT proxies, and
    say at start when rate limits cannot be shared between processes."""
    proxies = app.config["FJC_PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if app.config["FJC_ENV"] == "production" and not app.config["FJC_REDIS_URL"]:
        # Not refused: the sign-in throttle lives in the database and holds anyway;
        # but each worker then counts the portal's limits on its own.
        app.logger.warning(
            "FJC_REDIS_URL is not set: rate-limit counters are kept per worker process, "
            "so with N workers a client gets N times the limits"
        )
