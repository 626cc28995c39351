"""Two-step sign-in over HTTP: password, then a TOTP or recovery code; enrolment
with an inline QR code; required in production."""

import re

import pytest
from sqlalchemy import select

from core.identity import throttle, totp
from core.model import AuditEvent, Staff
from tests.backoffice.helpers import code_now, enrol, login, messages, send_code
from tests.conftest import TEST_PASSWORD, make_test_app
from tests.pages import CheckingClient
from web.db import db
from web.security import limiter


@pytest.fixture
def enrolled(app, make_staff, clock):
    staff_id, email = make_staff("case_director")
    return staff_id, email, enrol(app, staff_id, clock())


def test_the_password_alone_does_not_sign_in_an_account_with_two_step(client, enrolled):
    _, email, _ = enrolled
    response = login(client, email)
    assert response.headers["Location"] == "/staff/login/code"
    assert client.get("/staff/").status_code == 302, "the pending state is not signed in"
    with client.session_transaction("/staff/") as session:
        assert "staff_id" not in session


def test_the_right_code_signs_in_and_the_same_code_cannot_be_replayed(app, client, enrolled, clock):
    staff_id, email, secret = enrolled
    code = code_now(secret, clock(), offset=1)
    login(client, email)
    assert send_code(client, code).headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    client.submit("/staff/logout", {}, form_page="/staff/")
    login(client, email)
    replay = send_code(client, code)
    assert replay.status_code == 200
    assert "This code is not right, or it was already used." in replay.get_data(as_text=True)
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "staff.login_failed")
        ).all()
    assert details == ["code"]
    assert all(code not in (d or "") for d in details)


def test_a_recovery_code_signs_in_once(app, client, make_staff, clock):
    staff_id, email = make_staff("coordinator")
    assert login(client, email).status_code == 302
    page = client.get("/staff/account/two-step")
    secret = "".join(page.page.find(".//code[@class='secret']").text.split())
    assert page.page.find(".//figure/svg") is not None or "<svg" in page.get_data(as_text=True)
    shown = client.submit("/staff/account/two-step", {"code": code_now(secret, clock())}).get_data(
        as_text=True
    )
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", shown)
    assert len(codes) == 10
    client.submit("/staff/logout", {}, form_page="/staff/account")
    login(client, email)
    response = send_code(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 302
    assert "9 are left" in client.get("/staff/").get_data(as_text=True)
    client.submit("/staff/logout", {}, form_page="/staff/")
    login(client, email)
    assert send_code(client, codes[3]).status_code == 200


def test_the_pending_state_lasts_five_minutes(client, enrolled, clock):
    _, email, secret = enrolled
    login(client, email)
    clock.advance(minutes=5, seconds=1)
    response = client.get("/staff/login/code")
    assert response.headers["Location"] == "/staff/login"


def test_wrong_codes_count_towards_the_lock(client, enrolled, clock, monkeypatch):
    monkeypatch.setattr(limiter, "_check_request_limit", lambda *args, **kwargs: None)
    _, email, secret = enrolled
    login(client, email)
    for failures in range(10):
        clock.advance(seconds=throttle.delay_after(failures).total_seconds())
        response = send_code(client, "000000")
        if response.status_code == 302:
            break
    assert response.headers["Location"] == "/staff/login"
    page = client.get("/staff/login").get_data(as_text=True)
    assert "locked" in page
    clock.advance(minutes=2)
    assert "locked" in login(client, email).get_data(as_text=True)


@pytest.fixture
def production(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path, FJC_ENV="production")
    app.test_client_class = CheckingClient
    yield app
    app.extensions["fjc_db"].engine.dispose()


def test_in_production_an_account_without_two_step_must_set_it_up_first(
    production, make_staff, clock
):
    staff_id, email = make_staff("coordinator")
    client = production.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = login(client, email)
    assert response.headers["Location"] == "/staff/login/enrol"
    for path in ("/staff/", "/staff/account", "/staff/login/code"):
        assert client.get(path).headers["Location"] == "/staff/login", path
    page = client.get("/staff/login/enrol")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<svg" in body and "<script" not in body
    secret = "".join(page.page.find(".//code[@class='secret']").text.split())
    wrong = client.submit("/staff/login/enrol", {"code": "123456"})
    assert wrong.status_code == 200 and "This code is not right" in wrong.get_data(as_text=True)
    done = client.submit("/staff/login/enrol", {"code": code_now(secret, clock())})
    assert "Your recovery codes" in done.get_data(as_text=True)
    assert client.get("/staff/").status_code == 200
    with production.app_context():
        staff = db.session.get(Staff, staff_id)
        assert staff.totp_confirmed_at is not None
        assert staff.totp_last_step == totp.time_step(clock())


def test_development_does_not_require_two_step(app):
    assert app.config["FJC_REQUIRE_SECOND_FACTOR"] is False


def test_the_password_is_never_sent_back_or_logged(client, enrolled, app):
    _, email, _ = enrolled
    login(client, email)
    with app.app_context():
        texts = db.session.scalars(select(AuditEvent.detail)).all()
    assert not any(TEST_PASSWORD in (t or "") or email in (t or "") for t in texts)


def test_new_recovery_codes_need_the_password_again(app, client, enrolled, clock):
    """A browser left signed in must not hand out a way into the account."""
    _staff_id, email, secret = enrolled
    login(client, email)
    assert send_code(client, code_now(secret, clock(), offset=1)).status_code == 302
    refused = client.submit(
        "/staff/account/recovery-codes", {"current_password": "not it"}, form_page="/staff/account"
    )
    assert refused.status_code == 200
    field = next(el for el in refused.page.iter("input") if el.get("name") == "current_password")
    assert field.get("aria-invalid") == "true" and not field.get("value")
    assert "Your current password is not right." in messages(refused)
    made = client.submit(
        "/staff/account/recovery-codes",
        {"current_password": TEST_PASSWORD},
        form_page="/staff/account",
    )
    assert made.status_code == 200 and "Your recovery codes" in messages(made)
