"""URL converters every face shares.

Werkzeug's <int:...> takes any run of digits; 30 of them overflow the
databases' 64-bit integers, and the lookup then ends in a server error. Ids
in a URL stop at the largest id a row can have: a longer one finds nothing
(404), as any id that does not exist."""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from werkzeug.routing import IntegerConverter

from core.infra.ids import MAX_ID


class RowIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def link_for(endpoint: str, **values) -> str:
    """A full link to send to someone (an invitation). It starts with
    FJC_PUBLIC_URL, never with the request's Host header: a client chooses that
    header, and a link sent in its name would lead a colleague to another site.
    Without FJC_PUBLIC_URL (development) the request's host is the only one known."""
    public_url = current_app.config["FJC_PUBLIC_URL"]
    if public_url:
        return public_url + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


BAD_HOST = "fjc.bad_host"
# Any host routes the app the same way; this one only stands in for a bad one.
STAND_IN_HOST = "localhost"


class StandInForBadHosts:
    """WSGI middleware: a Host header werkzeug cannot encode (a label over 63
    characters, an empty label) leaves Flask without a URL adapter, and the
    error page itself then fails on url_for: a bare 500. Such a request gets a
    stand-in host and is answered with the calm, translated 400 page instead."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        try:
            environ.get("HTTP_HOST", "").encode("idna")
        except UnicodeError:
            environ["HTTP_HOST"] = STAND_IN_HOST
            environ[BAD_HOST] = True
        return self.wsgi_app(environ, start_response)


def _refuse_bad_host() -> None:
    if request.environ.get(BAD_HOST):
        abort(400)


def init_app(app) -> None:
    # Before any blueprint adds its rules: every <int:...> uses it.
    app.url_map.converters["int"] = RowIdConverter
    # Inside ProxyFix (added later, around this), so it checks the host the
    # proxy forwarded as well as one sent directly.
    app.wsgi_app = StandInForBadHosts(app.wsgi_app)
    app.before_request(_refuse_bad_host)
