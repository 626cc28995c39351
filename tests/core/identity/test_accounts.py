"""Changes to staff accounts (core.identity.accounts): each one writes its audit
row in the same call, and a refusal is a RuleError on its field that records
nothing. Also the names of accounts looked up by id (core.identity.staff)."""

import pytest
from sqlalchemy import func, select

from core.identity import accounts, passwords, staff_sessions, totp, two_factor
from core.identity.staff import StaffExists, names_of
from core.infra import clock
from core.model import AuditEvent, Staff
from core.rules import WHOLE, RuleError
from tests.conftest import TEST_PASSWORD
from web.db import db


def _rows(session) -> list[tuple]:
    return [
        (e.action, e.actor_id, e.target_type, e.target_id, e.detail)
        for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def _audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def admin_and_other(app, make_staff):
    admin, _ = make_staff("admin", name="Ada Admin")
    other, _ = make_staff("case_director", name="Bo Director")
    return admin, other


def test_an_admins_changes_are_audited_with_the_admin_and_the_account(app, admin_and_other):
    admin_id, other_id = admin_and_other
    with app.app_context(), db.writing() as session:
        admin, other = session.get(Staff, admin_id), session.get(Staff, other_id)
        before = _audit_count(session)
        invited = accounts.invite(
            session, admin, email="new@fjc.example", name="New", role="coordinator"
        )
        accounts.deactivate(session, other, admin, clock.now())
        accounts.activate(session, other, admin)
        accounts.reset_second_factor(session, other, admin, clock.now())
        accounts.unlock(session, other, admin)
        rows = _rows(session)[before:]
    assert rows == [
        ("staff.invited", admin_id, "staff", invited.id, "role=coordinator"),
        ("staff.deactivated", admin_id, "staff", other_id, None),
        ("staff.activated", admin_id, "staff", other_id, None),
        ("staff.second_factor_reset", admin_id, "staff", other_id, None),
        ("staff.unlocked", admin_id, "staff", other_id, None),
    ]


def test_the_operator_is_no_account_and_is_named_in_the_detail(app, admin_and_other):
    _, other_id = admin_and_other
    with app.app_context(), db.writing() as session:
        other = session.get(Staff, other_id)
        accounts.unlock(session, other, None)
        assert _rows(session)[-1] == ("staff.unlocked", None, "staff", other_id, "operator")


def test_refusals_name_their_field_and_record_nothing(app, admin_and_other, make_staff):
    admin_id, other_id = admin_and_other
    _, taken = make_staff("coordinator")
    with app.app_context(), db.writing() as session:
        admin, other = session.get(Staff, admin_id), session.get(Staff, other_id)
        invited = accounts.invite(session, admin, email="inv@fjc.example", name="I", role="admin")
        before = _audit_count(session)
        with pytest.raises(RuleError) as own:
            accounts.deactivate(session, admin, admin, clock.now())
        assert own.value.problems == {WHOLE: "own_account"} and admin.is_active
        with pytest.raises(RuleError) as not_accepted:
            accounts.activate(session, invited, admin)
        assert not_accepted.value.problems == {WHOLE: "invited"} and not invited.is_active
        with pytest.raises(StaffExists) as exists:
            accounts.invite(session, admin, email=taken.upper(), name="X", role="coordinator")
        assert exists.value.problems == {"email": "taken"}
        with pytest.raises(RuleError) as wrong:
            accounts.change_password(session, other, "not it", "a new long passphrase", clock.now())
        assert wrong.value.problems == {"current_password": "wrong"}
        with pytest.raises(RuleError) as common:
            accounts.change_password(session, other, TEST_PASSWORD, "password1234", clock.now())
        assert common.value.problems == {"new_password": "common"}
        assert passwords.verify_password(other.password_hash, TEST_PASSWORD)
        with pytest.raises(RuleError) as no_factor:
            accounts.renew_recovery_codes(session, other, TEST_PASSWORD)
        assert no_factor.value.problems == {WHOLE: "no_second_factor"}
        with pytest.raises(RuleError) as code:
            two_factor.begin_enrolment(other)
            accounts.enable_second_factor(session, other, "000000", clock.now())
        assert code.value.problems == {"code": "wrong"}
        assert _audit_count(session) == before


def test_the_owners_changes_are_audited_with_the_owner(app, admin_and_other):
    _, other_id = admin_and_other
    with app.app_context(), db.writing() as session:
        other = session.get(Staff, other_id)
        before = _audit_count(session)
        secret = two_factor.begin_enrolment(other)
        code = totp.code_at_step(secret, totp.time_step(clock.now()))
        assert len(accounts.enable_second_factor(session, other, code, clock.now())) == 10
        with pytest.raises(RuleError) as wrong_password:
            accounts.renew_recovery_codes(session, other, "not it")
        assert wrong_password.value.problems == {"current_password": "wrong"}
        assert len(accounts.renew_recovery_codes(session, other, TEST_PASSWORD)) == 10
        first = staff_sessions.start(session, other, clock.now())
        token = accounts.change_password(
            session, other, TEST_PASSWORD, "a brand new long passphrase", clock.now()
        )
        assert staff_sessions.find_live(session, first, other_id) is None
        assert staff_sessions.find_live(session, token, other_id) is not None
        accounts.sign_out_everywhere(session, other, clock.now())
        assert staff_sessions.find_live(session, token, other_id) is None
        rows = _rows(session)[before:]
    assert rows == [
        ("staff.second_factor_enabled", other_id, None, None, None),
        ("staff.recovery_codes_renewed", other_id, None, None, None),
        ("staff.password_changed", other_id, None, None, None),
        ("staff.signed_out_everywhere", other_id, None, None, None),
    ]


def test_an_accepted_invitation_activates_the_account_and_is_audited(app, admin_and_other):
    admin_id, _ = admin_and_other
    with app.app_context(), db.writing() as session:
        invited = accounts.invite(
            session, session.get(Staff, admin_id), email="i@fjc.example", name="Iv", role="admin"
        )
        with pytest.raises(RuleError) as short:
            accounts.accept_invitation(session, invited, "short")
        assert short.value.problems == {"new_password": "too_short"} and not invited.is_active
        accounts.accept_invitation(session, invited, "my own long passphrase")
        assert invited.is_active
        assert _rows(session)[-1] == ("staff.invite_accepted", invited.id, None, None, None)


def test_names_of_accounts_by_id_in_one_lookup(app, admin_and_other):
    admin_id, other_id = admin_and_other
    with app.app_context():
        assert names_of(db.session, [admin_id, other_id, None, 999999]) == {
            admin_id: "Ada Admin",
            other_id: "Bo Director",
        }
        assert names_of(db.session, [None]) == {}
