"""Requests from the portal: creating them and reading them back for staff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import return_codes
from core.centres import current_centre
from core.crypto import keyring
from core.models import Intake, IntakeKind, IntakeStatus

_SUBMISSION_PURPOSE = "submission"


class AlreadySubmitted(Exception):
    """The same form was sent twice (a double tap, a reload): one request only."""


@dataclass(frozen=True)
class ContactRequest:
    language: str
    phone: str | None
    email: str | None
    may_call: bool | None
    story: str | None
    submission_id: str | None = None


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def submit_contact_request(session: Session, data: ContactRequest) -> tuple[Intake, str]:
    """Store the request; return it with its return code (shown once, never stored)."""
    submission_key = (
        keyring().lookup_key(_SUBMISSION_PURPOSE, data.submission_id)
        if data.submission_id
        else None
    )
    if submission_key and session.scalar(
        select(Intake.id).where(Intake.submission_key == submission_key)
    ):
        raise AlreadySubmitted
    code = return_codes.generate()
    intake = Intake(
        centre_id=current_centre(session).id,
        kind=IntakeKind.CONTACT,
        status=IntakeStatus.NEW,
        language=data.language,
        phone=_blank_to_none(data.phone),
        email=_blank_to_none(data.email),
        may_call=data.may_call,
        story=_blank_to_none(data.story),
        return_code_key=return_codes.lookup_key(code),
        submission_key=submission_key,
    )
    session.add(intake)
    try:
        session.flush()
    except IntegrityError:
        # A concurrent copy of the same form won the race; 10^16 codes make a
        # return-code collision far less likely than that.
        session.rollback()
        raise AlreadySubmitted from None
    return intake, code


def newest_intakes(session: Session, *, limit: int = 50, offset: int = 0) -> list[Intake]:
    query = select(Intake).order_by(Intake.created_at.desc(), Intake.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_intakes(session: Session) -> int:
    return session.scalar(select(func.count(Intake.id))) or 0


def get_intake(session: Session, intake_id: int) -> Intake | None:
    return session.get(Intake, intake_id)
