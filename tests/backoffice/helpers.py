"""Signing in over HTTP, step by step, and setting up a second factor directly."""

from core import totp, two_factor
from core.db import db
from core.models import Staff
from tests.conftest import TEST_PASSWORD


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
