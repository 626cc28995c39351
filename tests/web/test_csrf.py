"""The CSRF token (web/csrf.py): bound to its session, refused when too old,
and the same token flask-wtf makes and checks."""

import re

import pytest
from flask import session
from flask_wtf import csrf as flask_wtf_csrf
from wtforms import ValidationError

from web import csrf

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
WRONG_CODE = "0000 0000 0000 0000"


def _token(client) -> str:
    return TOKEN.search(client.get("/en/return").get_data(as_text=True)).group(1)


def _post(client, token: str | None):
    data = {"code": WRONG_CODE} | ({"csrf_token": token} if token is not None else {})
    return client.post("/en/return", data=data)


def test_a_token_opens_only_the_session_it_was_made_for(app):
    hers, other = app.test_client(), app.test_client()
    her_token, other_token = _token(hers), _token(other)
    assert _post(other, her_token).status_code == 400
    assert _post(hers, other_token).status_code == 400
    assert _post(hers, her_token).status_code != 400
    assert _post(other, other_token).status_code != 400


def test_a_token_signed_under_another_secret_is_refused(app_factory):
    first, second = app_factory(), app_factory()
    client = first.test_client()
    token = _token(client)
    # The same session value, signed under the other app's secret.
    with second.test_request_context():
        session["csrf_token"] = _session_value(first, client)
        forged = csrf.generate_csrf()
    assert forged != token
    assert _post(client, forged).status_code == 400
    assert _post(client, token).status_code != 400


def _session_value(app, client) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    with app.test_request_context():
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.loads(cookie.value)["csrf_token"]


def test_a_token_older_than_the_time_limit_is_refused(app_factory, clock):
    app = app_factory(WTF_CSRF_TIME_LIMIT=3600)
    client = app.test_client()
    token = _token(client)
    clock.advance(seconds=3599)
    assert _post(client, token).status_code != 400
    clock.advance(seconds=2)
    assert _post(client, token).status_code == 400
    assert _post(client, _token(client)).status_code != 400


def test_without_a_time_limit_a_token_lives_as_long_as_its_session(app, clock):
    client = app.test_client()
    token = _token(client)
    clock.advance(days=2)
    assert _post(client, token).status_code != 400


def test_no_token_or_a_broken_one_is_refused(app):
    client = app.test_client()
    token = _token(client)
    for sent in (None, "", "x", token[:-2], token + "x", token.replace(".", "..", 1)):
        assert _post(client, sent).status_code == 400, sent


def test_the_token_is_the_one_flask_wtf_makes_and_checks(app):
    """FlaskForm's hidden field and flask-wtf's own check (a form validated
    outside a checked request) take the token as their own, and the other
    way round."""
    with app.test_request_context():
        made_here = csrf.generate_csrf()
        assert flask_wtf_csrf.generate_csrf() == made_here  # one token a request
        flask_wtf_csrf.validate_csrf(made_here)
    with app.test_request_context():
        session["csrf_token"] = "a-value-of-her-session"
        made_there = flask_wtf_csrf.generate_csrf()
        csrf.validate_csrf(made_there)
        session["csrf_token"] = "another-session"
        with pytest.raises(ValidationError, match="do not match"):
            csrf.validate_csrf(made_there)
