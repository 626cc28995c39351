"""Response headers, CSRF, rate limits and calm error pages for both faces."""

from __future__ import annotations

import ipaddress

from cryptography.fernet import InvalidToken
from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import InterfaceError, OperationalError

from core.infra import clock, health

csrf = CSRFProtect()
# An IPv6 client gets a whole /64 from its provider: counted per address, one
# person could take 2^64 fresh counters. IPv4 addresses count one by one.
IPV6_PREFIX = 64


def client_key() -> str:
    """What the rate limits count by: the IPv4 address, or the IPv6 /64.
    It only keys the in-memory (or Redis) counters; it is never stored with a
    request or written to a log."""
    address = get_remote_address() or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # "::ffff:198.51.100.7" is an IPv4 client
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


limiter = Limiter(key_func=client_key, default_limits=[])
# Without Redis each process counts on its own (the in-memory fallback): the
# portal and sign-in keep working, a little less strictly, until Redis is back.
REDIS_TIMEOUT_SECONDS = 0.5

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# (name, its lower case, value): a view may have set one of them itself, and
# Headers.setdefault finds out by raising and catching a KeyError per header,
# seven a response.
_BASE_HEADER_ITEMS = tuple((name, name.lower(), value) for name, value in BASE_HEADERS.items())


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["FJC_REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if app.config["FJC_REDIS_URL"]:
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS",
            {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        )
    csrf.init_app(app)
    limiter.init_app(app)
    production = app.config["FJC_ENV"] == "production"

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for name, lower, value in _BASE_HEADER_ITEMS:
            if lower not in present:
                headers.add(name, value)
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        # Only the static files may be cached: every page may show or take
        # personal data, and a cached copy would outlive a quick exit. They
        # say how long themselves (web/assets.py): a year for a name with a
        # content hash, revalidation for a file under its own name. An error
        # page under /static/ is a page like any other.
        static_file = request.path.startswith("/static/") and response.status_code in (
            200,
            206,
            304,
        )
        if not static_file:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    def _error(code: int, template_status: str):
        return render_template("error.html", status=template_status, code=code), code

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc):
        return _error(400, "csrf")

    @app.errorhandler(400)
    def _bad_request(_exc):
        return _error(400, "bad_request")

    @app.errorhandler(403)
    def _forbidden(_exc):
        return _error(403, "forbidden")

    @app.errorhandler(404)
    def _not_found(_exc):
        return _error(404, "not_found")

    @app.errorhandler(405)
    def _method_not_allowed(_exc):
        return _error(405, "not_found")

    @app.errorhandler(413)
    def _too_large(_exc):
        return _error(413, "too_large")

    @app.errorhandler(429)
    def _too_many(_exc):
        return _error(429, "too_many")

    @app.errorhandler(500)
    def _server_error(_exc):
        return _error(500, "server_error")

    # Seconds a browser or proxy is asked to wait before trying again.
    retry_after = "30"

    @app.errorhandler(503)
    def _unavailable(_exc):
        page, code = _error(503, "unavailable")
        return page, code, {"Retry-After": retry_after}

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(exc):
        # The database is down, restarting, or its disk is full: the request's
        # transaction was rolled back, so the page asks to send a form again.
        # The log names the kind of failure, never the statement or its values.
        current_app.logger.error(
            "database error at endpoint %s: %s", request.endpoint, type(exc.orig).__name__
        )
        if health.is_storage_full(exc):
            health.note_storage_full(clock.now())
        return _unavailable(exc)

    @app.errorhandler(InvalidToken)
    def _unreadable_value(_exc):
        # A stored value under a key no longer in FJC_DATA_KEYS (the start
        # refuses keys that open nothing: core.governance.key_check).
        current_app.logger.error(
            "a stored value cannot be decrypted with FJC_DATA_KEYS at endpoint %s",
            request.endpoint,
        )
        return _error(500, "server_error")
