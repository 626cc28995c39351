"""The changes people make to staff accounts, each recorded in the audit trail
by the same call, in the caller's transaction: the owner's own (invitation
accepted, second factor, recovery codes, password, signing out everywhere) and
an admin's (inviting, deactivating, activating, resetting the second factor,
unlocking). A refusal is a RuleError on the field it is about and records
nothing; the audit rows carry ids and codes, never an address or a password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from core.governance import audit
from core.identity import organisations, passwords, staff_sessions, throttle, two_factor
from core.identity import staff as staff_rules
from core.model import Staff
from core.rules import WHOLE, RuleError

# The back office's languages (the portal has twelve: core.infra.config).
STAFF_LANGUAGES = ("nl", "fr", "en")


def _record(
    session: Session, action: str, by: Staff | None, staff: Staff, detail: str | None = None
) -> None:
    """An admin's change to someone's account; by=None is the operator (the CLI)."""
    audit.record(
        session,
        action,
        actor_id=by.id if by else None,
        target_type="staff",
        target_id=staff.id,
        detail=detail or (None if by else "operator"),
    )


@contextmanager
def _new_password() -> Iterator[None]:
    """The password policy's refusal, on the field where the new one is typed."""
    try:
        yield
    except passwords.PasswordRejected as refused:
        raise RuleError("new_password", refused.code) from None


# --- The owner's changes ------------------------------------------------------


def accept_invitation(session: Session, staff: Staff, password: str) -> None:
    """The invited person chooses a password; the account becomes active."""
    with _new_password():
        staff_rules.accept_invite(staff, password)
    audit.record(session, "staff.invite_accepted", actor_id=staff.id)


def enable_second_factor(session: Session, staff: Staff, code: str, at: datetime) -> list[str]:
    """Switch TOTP on with a code from the app; the new recovery codes (shown once)."""
    codes = two_factor.confirm_enrolment(session, staff, code, at)
    if codes is None:
        raise RuleError("code", "wrong")
    audit.record(session, "staff.second_factor_enabled", actor_id=staff.id)
    return codes


def renew_recovery_codes(session: Session, staff: Staff, current_password: str) -> list[str]:
    """New recovery codes replace the old ones; only with a second factor, and
    only with the password typed again: codes are a way in, and a browser
    left signed in must not hand them to whoever sits down at it."""
    if not two_factor.has_second_factor(staff):
        raise RuleError(WHOLE, "no_second_factor")
    if not passwords.verify_password(staff.password_hash, current_password):
        raise RuleError("current_password", "wrong")
    codes = two_factor.new_recovery_codes(session, staff)
    audit.record(session, "staff.recovery_codes_renewed", actor_id=staff.id)
    return codes


def change_password(
    session: Session, staff: Staff, current_password: str, new_password: str, at: datetime
) -> str:
    """A new password ends every session of the account; this one goes on
    under the returned token."""
    if not passwords.verify_password(staff.password_hash, current_password):
        raise RuleError("current_password", "wrong")
    with _new_password():
        staff_rules.set_password(staff, new_password)
    staff_rules.end_all_sessions(session, staff, at)
    audit.record(session, "staff.password_changed", actor_id=staff.id)
    return staff_sessions.start(session, staff, at)


def sign_out_everywhere(session: Session, staff: Staff, at: datetime) -> None:
    staff_rules.end_all_sessions(session, staff, at)
    audit.record(session, "staff.signed_out_everywhere", actor_id=staff.id)


# --- An admin's changes -------------------------------------------------------


def invite(
    session: Session, by: Staff, *, email: str, name: str, role: str, centre_id: int | None = None
) -> Staff:
    """An account of this centre without a password, inactive until the
    invitation is accepted."""
    staff = staff_rules.invite_staff(
        session, email=email, name=name, role=role, centre_id=centre_id
    )
    _record(session, "staff.invited", by, staff, detail=f"role={staff.role}")
    return staff


def invite_partner_member(
    session: Session,
    by: Staff | None,
    *,
    email: str,
    name: str,
    organisation: str,
    kind: str,
    centre_id: int | None = None,
) -> Staff:
    """A partner member's account, inactive until the invitation is accepted;
    the organisation (of this centre) is made the first time it is named."""
    found = organisations.organisation_named(
        session, organisation, kind or None, centre_id=centre_id
    )
    member = organisations.invite_member(session, email=email, name=name, organisation=found)
    _record(session, "partner.invited", by, member, detail=f"organisation={found.id}")
    return member


def create_partner_member(
    session: Session,
    *,
    email: str,
    name: str,
    organisation: str,
    kind: str | None,
    password: str,
    centre_id: int | None = None,
) -> Staff:
    """The operator's command: an active member with a password (a refused
    password raises PasswordRejected, as for create-staff)."""
    found = organisations.organisation_named(session, organisation, kind, centre_id=centre_id)
    member = organisations.create_member(
        session, email=email, name=name, organisation=found, password=password
    )
    _record(session, "partner.created", None, member, detail=f"organisation={found.id}")
    return member


def deactivate(session: Session, staff: Staff, by: Staff, at: datetime) -> None:
    """No more signing in; every session ends. An admin cannot lock themselves out."""
    if staff.id == by.id:
        raise RuleError(WHOLE, "own_account")
    staff_rules.deactivate(session, staff, at)
    _record(session, "staff.deactivated", by, staff)


def activate(session: Session, staff: Staff, by: Staff) -> None:
    """Only an account that has a password can be active again."""
    if not staff_rules.activate(staff):
        raise RuleError(WHOLE, "invited")
    _record(session, "staff.activated", by, staff)


def reset_second_factor(session: Session, staff: Staff, by: Staff | None, at: datetime) -> None:
    """Remove the second factor (lost phone) and end every session; the person
    sets up a new one at their next sign-in."""
    two_factor.reset(session, staff)
    staff_rules.end_all_sessions(session, staff, at)
    _record(session, "staff.second_factor_reset", by, staff)


def unlock(session: Session, staff: Staff, by: Staff | None) -> bool:
    """Lift the lock of too many failed sign-ins; whether there was one."""
    was_locked = throttle.unlock(session, staff.email)
    _record(session, "staff.unlocked", by, staff)
    return was_locked


def choose_language(staff: Staff, language: str) -> None:
    """The back office's language for this account, on every device."""
    if language not in STAFF_LANGUAGES:
        raise RuleError(WHOLE, "unknown_language")
    staff.language = language
