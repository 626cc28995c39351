"""The second factor: TOTP enrolment and checks, and one-time recovery codes."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from core.identity import totp
from core.infra.crypto import keyring
from core.model import RecoveryCode, Staff

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: easy to read from paper. 12 characters: about 59 bits each.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12


def has_second_factor(staff: Staff) -> bool:
    return staff.totp_confirmed_at is not None


def begin_enrolment(staff: Staff) -> str:
    """The secret to show; kept (unconfirmed) so a reload shows the same QR code."""
    if has_second_factor(staff):
        raise ValueError("this account already has a second factor")
    if not staff.totp_secret:
        staff.totp_secret = totp.new_secret()
    return staff.totp_secret


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _recovery_key(code: str) -> str:
    return keyring().lookup_key("recovery-code", _normalise_recovery(code))


def new_recovery_codes(session: Session, staff: Staff) -> list[str]:
    """Replace the account's recovery codes; the codes are returned once, then gone."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        session.add(RecoveryCode(staff_id=staff.id, code_key=_recovery_key(raw)))
    session.flush()
    return codes


def recovery_codes_left(session: Session, staff: Staff) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.staff_id == staff.id)
        )
        or 0
    )


def confirm_enrolment(session: Session, staff: Staff, code: str, at: datetime) -> list[str] | None:
    """Switch the factor on when the code matches; the new recovery codes, or None."""
    if has_second_factor(staff) or not staff.totp_secret:
        return None
    step = totp.matching_step(staff.totp_secret, code, at, None)
    if step is None:
        return None
    staff.totp_confirmed_at = at
    staff.totp_last_step = step
    return new_recovery_codes(session, staff)


def _use_totp(session: Session, staff: Staff, code: str, at: datetime) -> bool:
    if not staff.totp_secret:
        return False
    step = totp.matching_step(staff.totp_secret, code, at, staff.totp_last_step)
    if step is None:
        return False
    # One statement, so two requests with the same code cannot both succeed.
    result = cast(
        CursorResult,
        session.execute(
            update(Staff)
            .where(
                Staff.id == staff.id,
                (Staff.totp_last_step.is_(None)) | (Staff.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        return False
    staff.totp_last_step = step
    return True


def _use_recovery_code(session: Session, staff: Staff, code: str) -> bool:
    normalised = _normalise_recovery(code)
    if len(normalised) != RECOVERY_LENGTH:
        return False
    result = cast(
        CursorResult,
        session.execute(
            delete(RecoveryCode).where(
                RecoveryCode.staff_id == staff.id,
                RecoveryCode.code_key == _recovery_key(normalised),
            )
        ),
    )
    return result.rowcount == 1


def verify(session: Session, staff: Staff, code: str, at: datetime) -> str | None:
    """ "totp" or "recovery_code" when the code is right and unused, else None."""
    if not has_second_factor(staff):
        return None
    if _use_totp(session, staff, code, at):
        return "totp"
    if _use_recovery_code(session, staff, code):
        return "recovery_code"
    return None


def reset(session: Session, staff: Staff) -> None:
    """Remove the factor (lost phone); the person sets up a new one at next sign-in."""
    staff.totp_secret = None
    staff.totp_confirmed_at = None
    staff.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
