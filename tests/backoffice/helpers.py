"""Signing in over HTTP, step by step, and setting up a second factor directly."""

from core.identity import totp, two_factor
from core.model import Staff
from tests.conftest import TEST_PASSWORD
from web.db import db


def login(client, email: str, password: str = TEST_PASSWORD):
    return client.submit(
        "/staff/login", {"email": email, "password": password}, form_page="/staff/login"
    )


def enrol(app, staff_id: int, at) -> str:
    """Switch TOTP on for the account as if its owner had enrolled; the secret."""
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        secret = two_factor.begin_enrolment(staff)
        two_factor.confirm_enrolment(
            session, staff, totp.code_at_step(secret, totp.time_step(at) - 1), at
        )
    return secret


def code_now(secret: str, at, offset: int = 0) -> str:
    return totp.code_at_step(secret, totp.time_step(at) + offset)


def send_code(client, code: str):
    return client.submit("/staff/login/code", {"code": code})


def messages(response) -> str:
    return " ".join(" ".join(response.get_data(as_text=True).split()).split())


def staff_client(app, staff):
    """A browser of its own, signed in as `staff` (the (id, email) of make_staff)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _, email = staff
    assert login(client, email).status_code == 302
    return client


def open_test_case(app, director_id: int, track=None) -> int:
    """A case file opened from one decided request, as a case director would."""
    from core.model import TriageOutcome
    from tests.factories import case_from_request

    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, director_id)
        return case_from_request(session, staff, track or TriageOutcome.TRACK_2).id
