"""A form sent again because its answer never arrived.

The request is stored before its answer is sent; if the connection breaks
then (a dying worker, a phone losing its signal), the person never saw her
return code. For a question asked anonymously that code is the only way to
the answer. So the same form (the same submission id), sent again soon from
the same browser session that loaded it, gets the request's code again: a
new one, since only its hash was kept, and the earlier one stops working.

The risk weighed: someone else holding her phone in those minutes could do
the same. Hence the limits: a short window, only the session that loaded the
form and only while its page with the code never showed (portal.views.doors
keeps that list; the quick exit ends it), and only while the team has not yet
written to her mailbox, so a reply can never be read this way."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.governance import audit
from core.infra import clock
from core.infra.crypto import keyring
from core.intake import mailbox_sessions, return_codes
from core.intake.intakes import SUBMISSION_PURPOSE
from core.model import Intake, Message, MessageDirection

WINDOW = timedelta(minutes=15)


def give_code_again(session: Session, submission_id: str) -> tuple[Intake, str] | None:
    """A new return code for the request this form made, within the limits
    above; None when they do not allow it (the caller says "already sent")."""
    key = keyring().lookup_key(SUBMISSION_PURPOSE, submission_id)
    intake = session.scalar(select(Intake).where(Intake.submission_key == key))
    now = clock.now()
    if intake is None or now - intake.created_at > WINDOW or _team_has_written(session, intake):
        return None
    code = return_codes.generate()
    intake.return_code_key = return_codes.lookup_key(code)
    # A mailbox opened with the earlier code closes with it.
    mailbox_sessions.close_all(session, intake)
    audit.record(session, "intake.code_given_again", target_type="intake", target_id=intake.id)
    session.flush()
    return intake, code


def _team_has_written(session: Session, intake: Intake) -> bool:
    return (
        session.scalar(
            select(Message.id)
            .where(Message.intake_id == intake.id)
            .where(Message.direction == MessageDirection.FROM_STAFF)
            .limit(1)
        )
        is not None
    )
