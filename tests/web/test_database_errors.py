"""When the database fails in the middle of a request (down, restarting, a
full disk), the person gets a calm page in her language that says what to do,
not a traceback or the server's bare English 500; and a connection that dies
mid-request cannot turn that page into one when it is put away."""

import logging

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.pages import form_values


def _refuse(*_args, **_kwargs):
    raise OperationalError("COMMIT", {}, ConnectionResetError("server closed the connection"))


def _filled_question(client):
    page = client.get("/fr/question")
    return {**form_values(page.page, action="/fr/question"), "question": "Est-ce normal ?"}


def test_a_failing_database_gives_the_calm_page_in_the_page_language(app, monkeypatch, caplog):
    client = app.test_client()
    form = _filled_question(client)
    monkeypatch.setattr(Session, "commit", _refuse)
    with caplog.at_level(logging.ERROR):
        response = client.post("/fr/question", data=form)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert 'lang="fr"' in page and "Traceback" not in page
    assert "Est-ce normal" not in caplog.text
    assert "database error at endpoint portal.question: ConnectionResetError" in caplog.text


def test_the_staff_side_gets_its_calm_page_too(client, signed_in, monkeypatch):
    signed_in("coordinator")
    monkeypatch.setattr(Session, "execute", _refuse)
    response = client.get("/staff/")
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_connection_dying_before_it_is_put_away_keeps_the_calm_page(app, monkeypatch, caplog):
    client = app.test_client()
    form = _filled_question(client)
    monkeypatch.setattr(Session, "commit", _refuse)
    monkeypatch.setattr(Session, "close", _refuse)
    with caplog.at_level(logging.WARNING):
        response = client.post("/fr/question", data=form)
    assert response.status_code == 503
    assert 'lang="fr"' in response.get_data(as_text=True)
    assert "database connection lost; it is discarded" in caplog.text


def test_a_value_no_key_opens_is_a_calm_500_with_a_log_line(app, caplog):
    @app.get("/staff/unreadable")
    def unreadable():
        raise InvalidToken

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/staff/unreadable")
    assert response.status_code == 500
    assert "cannot be decrypted with FJC_DATA_KEYS at endpoint unreadable" in caplog.text


@pytest.mark.parametrize("path", ["/nl/", "/fr/contact"])
def test_pages_that_only_read_still_show_when_writes_fail(app, monkeypatch, path):
    monkeypatch.setattr(Session, "commit", _refuse)
    assert app.test_client().get(path).status_code == 200
