"""Sessions: idle 30 minutes, 12 hours at most, ended on the server at sign-out,
sign out everywhere, and cookies that scripts and other sites cannot use."""

from sqlalchemy import select

from core.model import AuditEvent
from tests.backoffice.helpers import login
from tests.conftest import make_test_app
from tests.pages import CheckingClient
from web.db import db


def test_thirty_minutes_without_a_request_end_the_session(client, signed_in, clock):
    signed_in("coordinator")
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200, "each request restarts the idle clock"
    clock.advance(minutes=30, seconds=1)
    response = client.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    page = client.get("/staff/login").get_data(as_text=True)
    assert "You were signed out because the session ran out." in page


def test_requests_within_a_minute_leave_the_cookie_as_it_was(client, signed_in, clock):
    signed_in("coordinator")
    client.get("/staff/")  # the first page after sign-in keeps its new CSRF secret
    clock.advance(seconds=30)
    assert "Set-Cookie" not in client.get("/staff/").headers, "nothing moved: nothing to sign"
    clock.advance(seconds=31)
    assert "Set-Cookie" in client.get("/staff/").headers, "a minute on: the idle clock moves"


def test_the_idle_clock_lags_by_less_than_a_minute_never_more(client, signed_in, clock):
    signed_in("coordinator")
    clock.advance(seconds=59)
    assert client.get("/staff/").status_code == 200  # not written: under a minute on
    clock.advance(minutes=28, seconds=59)
    assert client.get("/staff/").status_code == 200, "29 minutes 58 seconds after it was written"
    clock.advance(minutes=30, seconds=1)
    assert client.get("/staff/").status_code == 302, "30 minutes after the last request"


def test_a_session_runs_out_at_most_a_minute_early(client, signed_in, clock):
    signed_in("coordinator")
    clock.advance(seconds=59)
    assert client.get("/staff/").status_code == 200  # not written: under a minute on
    clock.advance(minutes=29, seconds=2)
    response = client.get("/staff/")
    assert response.status_code == 302, "29 min after the last request, 30 after the written one"


def test_twelve_hours_after_sign_in_the_session_ends_even_when_busy(client, signed_in, clock):
    signed_in("coordinator")
    statuses = []
    for _ in range(37):  # a request every 20 minutes: never idle
        clock.advance(minutes=20)
        statuses.append(client.get("/staff/").status_code)
    assert statuses[:36] == [200] * 36, "up to 12 hours"
    assert statuses[36] == 302, "12 hours 20 minutes after sign-in"


def test_after_sign_out_a_copied_cookie_no_longer_works(client, signed_in):
    signed_in("case_director")
    copied = client.get_cookie("fjc-staff").value
    client.submit("/staff/logout", {}, form_page="/staff/account")
    client.set_cookie("fjc-staff", copied)
    assert client.get("/staff/").status_code == 302


def test_sign_out_everywhere_ends_the_other_browsers_sessions(app, client, make_staff):
    staff_id, email = make_staff("coordinator")
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, email).status_code == 302
    assert login(other, email).status_code == 302
    assert "2 devices or browsers" in client.get("/staff/account").get_data(as_text=True)
    response = client.submit("/staff/account/sign-out-everywhere", {}, form_page="/staff/account")
    assert response.status_code == 303
    assert other.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == staff_id)
        ).all()
    assert "staff.signed_out_everywhere" in actions


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, make_staff):
    _, email = make_staff("coordinator", name="Ann Peeters")
    other = app.test_client()
    assert login(client, email).status_code == 302
    assert login(other, email).status_code == 302
    refused = client.submit(
        "/staff/account/password",
        {"current_password": "correct horse battery staple", "new_password": "password1234"},
    )
    assert "one of the most used ones" in refused.get_data(as_text=True)
    changed = client.submit(
        "/staff/account/password",
        {
            "current_password": "correct horse battery staple",
            "new_password": "a brand new long passphrase",
        },
    )
    assert changed.status_code == 303
    assert client.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302
    client.submit("/staff/logout", {}, form_page="/staff/account")
    assert login(client, email, "a brand new long passphrase").status_code == 302


def _cookie_header(app, email):
    client = app.test_client()
    page = client.get("/staff/login")
    assert page.status_code == 200
    response = client.submit("/staff/login", {"email": email, "password": "x" * 12})
    return response.headers.get("Set-Cookie") or page.headers["Set-Cookie"]


def test_cookies_are_httponly_samesite_and_secure_outside_development(app, make_staff):
    _, email = make_staff("coordinator")
    header = _cookie_header(app, email)
    assert header.startswith("fjc-staff=")  # the back office's own cookie
    for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/"):
        assert flag in header


def test_production_cookies_carry_the_host_prefix(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path, FJC_ENV="production")
    app.test_client_class = CheckingClient
    client = app.test_client()
    header = client.get("/nl/contact").headers["Set-Cookie"]
    assert header.startswith("__Host-fjc=")
    assert "Secure" in header and "HttpOnly" in header and "Domain" not in header
    staff_header = client.get("/staff/login").headers["Set-Cookie"]
    assert staff_header.startswith("__Host-fjc-staff=") and "Domain" not in staff_header
    app.extensions["fjc_db"].engine.dispose()


def test_a_wrong_current_password_is_said_on_its_field_and_changes_nothing(app, client, make_staff):
    staff_id, email = make_staff("coordinator")
    assert login(client, email).status_code == 302
    refused = client.submit(
        "/staff/account/password",
        {"current_password": "not my password", "new_password": "a brand new long passphrase"},
    )
    assert refused.status_code == 200
    field = next(el for el in refused.page.iter("input") if el.get("id") == "current_password")
    assert field.get("aria-invalid") == "true" and not field.get("value")
    assert "Your current password is not right." in refused.get_data(as_text=True)
    assert client.get("/staff/").status_code == 200, "still signed in"
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == staff_id)
        ).all()
    assert "staff.password_changed" not in actions
