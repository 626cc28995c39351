"""The session cookie as web.sessions writes and reads it: the same cookie as
Flask's own serializer (tagged JSON, itsdangerous' signer), so a cookie made
before opens after, and the other way round."""

import uuid
from datetime import UTC, datetime

import pytest
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from web.sessions import _SessionJSON

SESSIONS = [
    {},
    {"csrf_token": "8d1b0729bf", "loaded_forms": ["SarUPSB4", "R-w5y8qo"], "mailbox": "tok"},
    {"_flashes": [("message", "Your mailbox is closed.")], "csrf_token": "abc"},
    {"seen": datetime(2026, 12, 3, 15, 0, tzinfo=UTC), "staff_id": 7, "fresh": True},
    {"markup": Markup("<b>x</b>"), "bytes": b"\x00\xff", "id": uuid.UUID(int=5)},
    {"nested": {" t": ["looks like a tag"], "n": None}, " di": 1},
    {"a dict of one tag key": {" t": [1, 2]}},
    {"text": " starts with a space", "unicode": "Łódź \u00e9 \U0001f600", "number": 1.5},
    {"tuple in a list": [("a", 1)], "list": [[], {}, [None, False]]},
]


def _stock(app, salt="fjc-portal-session") -> URLSafeTimedSerializer:
    """The serializer Flask's SecureCookieSessionInterface makes."""
    stock = SecureCookieSessionInterface()
    return URLSafeTimedSerializer(
        app.secret_key,
        salt=salt,
        serializer=stock.serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": stock.digest_method},
    )


def _ours(app, path="/en/"):
    with app.test_request_context(path):
        return app.session_interface.get_signing_serializer(app)


@pytest.mark.parametrize("session", SESSIONS)
def test_a_session_reads_back_the_same_with_its_types(session):
    ours, flasks = _SessionJSON(), TaggedJSONSerializer()
    written = ours.dumps(session)
    for reader in (ours, flasks):
        read = reader.loads(written)
        assert read == session
        assert [type(v) for v in read.values()] == [type(v) for v in session.values()]
    assert ours.loads(flasks.dumps(session)) == session
    # Plain or not, the JSON is the one Flask writes.
    assert written == flasks.dumps(session)


@pytest.mark.parametrize("session", SESSIONS)
def test_cookies_open_both_ways(app, session):
    ours, stock = _ours(app), _stock(app)
    assert ours.loads(stock.dumps(session), max_age=60) == session
    assert stock.loads(ours.dumps(session), max_age=60) == session
    # Twice: the signer and its derived key are kept between cookies.
    assert ours.loads(ours.dumps(session), max_age=60) == session


def test_a_changed_or_other_faces_cookie_opens_nothing(app):
    ours = _ours(app)
    cookie = ours.dumps({"mailbox": "tok"})
    with pytest.raises(BadSignature):
        ours.loads(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"), max_age=60)
    with pytest.raises(BadSignature):
        _ours(app, "/staff/login").loads(cookie, max_age=60)
    with pytest.raises(BadSignature):
        ours.loads(_stock(app, salt="fjc-staff-session").dumps({"staff_id": 1}), max_age=60)
