from sqlalchemy import select

from core.model import AuditEvent
from tests.conftest import TEST_PASSWORD
from web.db import db

WRONG = "The e-mail address or the password is not right."


def _login(client, email, password):
    return client.submit(
        "/staff/login", {"email": email, "password": password}, form_page="/staff/login"
    )


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app, client, make_staff):
    _, email = make_staff("coordinator")
    wrong_password = _login(client, email, "not the password at all")
    unknown_email = _login(client, "nobody@fjc.example", TEST_PASSWORD)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert WRONG in response.get_data(as_text=True)
    password_field = next(
        el for el in unknown_email.page.iter("input") if el.get("name") == "password"
    )
    assert not password_field.get("value"), "a password is never sent back"
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("staff.login_failed") == 2


def test_signing_in_starts_a_fresh_session_and_is_audited(app, client, make_staff):
    staff_id, email = make_staff("case_director")
    with client.session_transaction("/staff/") as session:
        session["planted"] = "by someone else"
    response = _login(client, email.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    with client.session_transaction("/staff/") as session:
        assert "planted" not in session
        assert session["staff_id"] == staff_id
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.login")
        ).one()
    assert event.actor_id == staff_id


def test_an_admin_lands_on_the_account_page(client, make_staff):
    _, email = make_staff("admin")
    response = _login(client, email, TEST_PASSWORD)
    assert response.headers["Location"] == "/staff/account"


def test_a_signed_in_person_visiting_the_login_goes_to_their_page(client, signed_in):
    signed_in("coordinator")
    response = client.get("/staff/login")
    assert response.status_code == 302


def test_login_attempts_are_rate_limited(client, make_staff):
    _, email = make_staff("coordinator")
    statuses = [_login(client, email, "wrong password here").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
