"""The portal mailbox: a requester comes back with their return code, reads the
team's replies, adds information, or deletes the request."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.governance import audit
from core.governance.retention import erase_intake
from core.infra import clock
from core.intake import priority, return_codes
from core.intake.triage import set_status
from core.model import Intake, IntakeStatus, Message, MessageDirection, Staff
from core.network.centre_keys import encrypting_for_centre

MESSAGE_MAX = 4000


class RequesterStatus(StrEnum):
    """What the requester is told, in plain words (the portal translates these)."""

    RECEIVED = "received"
    LOOKING = "looking"
    TRIED_TO_REACH = "tried_to_reach"
    ANSWERED = "answered"
    CLOSED = "closed"


def find_by_code(session: Session, typed_code: str) -> Intake | None:
    """The request a typed code opens, or None. An erased request opens nothing,
    exactly like a code that never existed."""
    intake_id = opened_by_code(session, typed_code)
    return session.get(Intake, intake_id) if intake_id is not None else None


def opened_by_code(session: Session, typed_code: str) -> int | None:
    """The id of the request a typed code opens, or None (as find_by_code).
    Two columns, not the request: opening her mailbox decrypts nothing, the
    mailbox page reads what it shows."""
    code = return_codes.normalise(typed_code)
    if code is None:
        return None
    found = session.execute(
        select(Intake.id, Intake.status).where(
            Intake.return_code_key == return_codes.lookup_key(code)
        )
    ).first()
    if found is None or found.status == IntakeStatus.ERASED:
        return None
    return found.id


def requester_status(intake: Intake) -> RequesterStatus:
    if intake.status == IntakeStatus.CLOSED:
        return RequesterStatus.CLOSED
    if any(m.direction == MessageDirection.FROM_STAFF for m in intake.messages):
        return RequesterStatus.ANSWERED
    if intake.status == IntakeStatus.CONTACT_ATTEMPTED:
        return RequesterStatus.TRIED_TO_REACH
    if intake.status == IntakeStatus.IN_PROGRESS:
        return RequesterStatus.LOOKING
    return RequesterStatus.RECEIVED


def add_requester_message(session: Session, intake: Intake, body: str) -> Message:
    """More information from the requester: always on the same request."""
    # The portal has no centre of its own: the request's centre's keys (for
    # the whole block: reading the messages below flushes the new one).
    with encrypting_for_centre(session, intake.centre_id):
        message = Message(intake=intake, direction=MessageDirection.FROM_REQUESTER, body=body)
        session.add(message)
        # An unread message raises the request in the queue until someone reads it.
        intake.priority = priority.static_priority(intake, unread_messages=True)
        session.flush()
    return message


def add_staff_reply(session: Session, intake: Intake, author: Staff, body: str) -> Message:
    """A reply the requester reads with their code; recorded in the audit trail."""
    message = Message(
        intake=intake, direction=MessageDirection.FROM_STAFF, body=body, author_id=author.id
    )
    session.add(message)
    if intake.status == IntakeStatus.NEW:
        set_status(session, intake, IntakeStatus.IN_PROGRESS, author)
    # Not first contact yet: that is when she reads it (replies_read).
    session.flush()
    audit.record(
        session,
        "intake.replied",
        actor_id=author.id,
        target_type="intake",
        target_id=intake.id,
        detail=f"message {message.id}",
    )
    return message


def replies_read(session: Session, intake: Intake) -> bool:
    """The requester opened her mailbox and sees the team's replies: mark them
    read, and if nobody had reached her before, this is the first contact (a
    reply nobody read reached no one). Returns whether anything changed."""
    now = clock.now()
    replies = [m for m in intake.messages if m.direction == MessageDirection.FROM_STAFF]
    unread = [m for m in replies if m.read_at is None]
    for message in unread:
        message.read_at = now
    if unread and intake.first_contact_at is None:
        intake.first_contact_at = now
    if unread:
        session.flush()
    return bool(unread)


def erase(session: Session, intake: Intake) -> None:
    """Delete the request on the requester's demand: every personal field and
    every message goes; what is left (door, dates, municipality, language)
    identifies no one and keeps the centre's figures right. The retention purge
    erases with the same function, so the two cannot drift apart."""
    erase_intake(session, intake)
