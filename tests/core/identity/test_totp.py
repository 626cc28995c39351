"""RFC 6238 codes, the ±1 step window, and a used code that cannot be used again."""

import base64
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from core.identity import totp, two_factor
from core.model import RecoveryCode, Staff
from web.db import db
from web.qr import totp_qr_svg

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_the_rfc_6238_sha1_test_vectors(unix, expected):
    at = datetime.fromtimestamp(unix, UTC)
    assert totp.code_at_step(RFC_SECRET, totp.time_step(at), digits=8) == expected


def test_a_new_secret_has_160_bits():
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20
    assert secret != totp.new_secret()


def test_one_step_early_or_late_is_accepted_two_steps_are_not():
    secret = totp.new_secret()
    at = datetime(2026, 3, 1, 12, 0, 15, tzinfo=UTC)
    step = totp.time_step(at)
    for offset in (-1, 0, 1):
        code = totp.code_at_step(secret, step + offset)
        assert totp.matching_step(secret, code, at, None) == step + offset
    for offset in (-2, 2):
        assert (
            totp.matching_step(secret, totp.code_at_step(secret, step + offset), at, None) is None
        )
    assert totp.matching_step(secret, "12345", at, None) is None
    assert totp.matching_step(secret, "abcdef", at, None) is None


def test_a_code_at_or_before_the_last_used_step_is_refused():
    secret = totp.new_secret()
    at = datetime(2026, 3, 1, 12, 0, 15, tzinfo=UTC)
    step = totp.time_step(at)
    code = totp.code_at_step(secret, step)
    assert totp.matching_step(secret, code, at, step) is None
    assert totp.matching_step(secret, code, at, step - 1) == step


@pytest.fixture
def enrolled(app, make_staff, clock):
    staff_id, email = make_staff("coordinator")
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        secret = two_factor.begin_enrolment(staff)
        code = totp.code_at_step(secret, totp.time_step(clock()))
        codes = two_factor.confirm_enrolment(session, staff, code, clock())
    return staff_id, secret, codes


def test_a_code_works_once_then_never_again(app, enrolled, clock):
    staff_id, secret, _ = enrolled
    clock.advance(seconds=30)
    code = totp.code_at_step(secret, totp.time_step(clock()))
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        assert two_factor.verify(session, staff, code, clock()) == "totp"
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        assert two_factor.verify(session, staff, code, clock()) is None
        # The code from the step before is older than the one used: refused too.
        earlier = totp.code_at_step(secret, totp.time_step(clock()) - 1)
        assert two_factor.verify(session, staff, earlier, clock()) is None


def test_the_enrolment_code_itself_cannot_be_replayed(app, enrolled, clock):
    staff_id, secret, _ = enrolled
    code = totp.code_at_step(secret, totp.time_step(clock()))
    with app.app_context(), db.writing() as session:
        assert two_factor.verify(session, session.get(Staff, staff_id), code, clock()) is None


def test_recovery_codes_are_hashed_and_each_works_once(app, enrolled, clock):
    staff_id, _, codes = enrolled
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_key)).all()
    assert not any(code.replace("-", "") in key or code in key for code in codes for key in stored)
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        assert two_factor.verify(session, staff, codes[0].upper(), clock()) == "recovery_code"
        assert two_factor.verify(session, staff, codes[0], clock()) is None
        assert two_factor.recovery_codes_left(session, staff) == 9


def test_the_secret_is_encrypted_at_rest(app, enrolled):
    staff_id, secret, _ = enrolled
    with app.app_context():
        raw = db.session.execute(
            text("SELECT totp_secret FROM staff WHERE id = :id"), {"id": staff_id}
        ).scalar_one()
    assert secret not in raw


def test_the_qr_code_is_inline_svg_with_the_provisioning_uri():
    svg = str(totp_qr_svg(totp.new_secret(), "ann@fjc.example"))
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    uri = totp.provisioning_uri("ABCD", "ann@fjc.example")
    assert uri.startswith("otpauth://totp/FJC%3Aann%40fjc.example?secret=ABCD")
