"""Live conversations: start, write, take, hand over, end.

Every line is stored (encrypted, numbered under the conversation's row lock)
before anyone is told it was sent; the live channel (core.infra.live) only
says "look again", so a reader that missed a signal loses nothing: it asks
the database for the lines after the last one it has.

A conversation that ends with something she wrote becomes a request of kind
"conversation" (its transcript stays here, in conversation_messages), so
triage, matching and case files carry it on and nobody asks her again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.governance import audit
from core.infra import clock
from core.infra.crypto import keyring
from core.intake import priority, return_codes
from core.model import (
    Conversation,
    ConversationKind,
    ConversationMessage,
    ConversationStatus,
    EndReason,
    Intake,
    IntakeKind,
    IntakeStatus,
    Sender,
    Staff,
)
from core.network.centre_keys import encrypting_for_centre
from core.rules import WHOLE, RuleError

MESSAGE_MAX = 2000
_BROWSER_PURPOSE = "talk-browser"
_CLIENT_PURPOSE = "talk-message"
# Her page beats every few seconds (the live stream, or the waiting page's
# refresh). But a phone closes the stream of a page in the background, and
# she may switch to another app while she waits: she must not lose her place
# for that. Without JavaScript an open conversation is reloaded only when she
# sends or asks for new lines, and writing a long message takes time.
GONE_WHILE_WAITING = timedelta(minutes=10)
GONE_WHILE_TALKING = timedelta(minutes=15)
# An open conversation ends on its own after this long, however active: a
# page left open on a shared phone must not stay a way in.
LONGEST = timedelta(hours=3)


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    token: str
    # Shown to her at the end, never stored: only its keyed hash is.
    return_code: str


def _token_key(token: str) -> str:
    return keyring().lookup_key(_BROWSER_PURPOSE, token)


def start(session: Session, *, centre_id: int, language: str) -> Started:
    token = secrets.token_urlsafe(32)
    code = return_codes.generate()
    now = clock.now()
    conversation = Conversation(
        centre_id=centre_id,
        kind=ConversationKind.LIVE,
        status=ConversationStatus.WAITING,
        language=language,
        token_key=_token_key(token),
        return_code_key=return_codes.lookup_key(code),
        created_at=now,
        person_seen_at=now,
    )
    session.add(conversation)
    session.flush()
    return Started(conversation, token, code)


def find(session: Session, token: str | None) -> Conversation | None:
    """The conversation her browser's token opens, or None (ended ones too: her
    page shows how it ended, once)."""
    if not token:
        return None
    return session.scalar(select(Conversation).where(Conversation.token_key == _token_key(token)))


def is_open(conversation: Conversation) -> bool:
    return conversation.status != ConversationStatus.ENDED


def note_person_seen(session: Session, conversation: Conversation) -> None:
    conversation.person_seen_at = clock.now()
    session.flush()


def _locked(session: Session, conversation_id: int) -> Conversation:
    """The conversation row, locked until commit (PostgreSQL: FOR UPDATE;
    SQLite's writes already run one at a time, BEGIN IMMEDIATE), so line
    numbers follow the order lines are committed in."""
    return session.scalars(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _append(
    session: Session,
    conversation: Conversation,
    *,
    sender: Sender,
    body: str | None = None,
    author: Staff | None = None,
    phrase: str | None = None,
    event: str | None = None,
    client_key: str | None = None,
) -> ConversationMessage:
    conversation.last_seq += 1
    message = ConversationMessage(
        conversation_id=conversation.id,
        seq=conversation.last_seq,
        sender=sender,
        author_id=author.id if author else None,
        body=body,
        phrase=phrase,
        event=event,
        client_key=client_key,
        created_at=clock.now(),
    )
    session.add(message)
    return message


def write(
    session: Session,
    conversation_id: int,
    *,
    sender: Sender,
    body: str,
    client_id: str | None,
    author: Staff | None = None,
    phrase: str | None = None,
) -> tuple[ConversationMessage, bool]:
    """Store one line; returns it and whether it is new. The same client id
    again (a resend after a lost answer) returns the line stored the first
    time: stored once, shown once."""
    text = (body or "").strip()
    if not text:
        raise RuleError("body", "missing")
    if len(text) > MESSAGE_MAX:
        raise RuleError("body", "too_long")
    conversation = _locked(session, conversation_id)
    if not is_open(conversation):
        raise RuleError(WHOLE, "conversation_ended")
    if sender == Sender.STAFF and (author is None or conversation.staff_id != author.id):
        raise RuleError(WHOLE, "not_yours")
    client_key = keyring().lookup_key(_CLIENT_PURPOSE, client_id) if client_id else None
    if client_key:
        earlier = session.scalar(
            select(ConversationMessage).where(
                ConversationMessage.conversation_id == conversation.id,
                ConversationMessage.client_key == client_key,
            )
        )
        if earlier is not None:
            return earlier, False
    message = _append(
        session,
        conversation,
        sender=sender,
        body=text,
        author=author,
        phrase=phrase,
        client_key=client_key,
    )
    if sender == Sender.PERSON:
        conversation.person_seen_at = clock.now()
    try:
        with encrypting_for_centre(session, conversation.centre_id):
            session.flush()
    except IntegrityError:
        # The same client id won a race on another instance: one line only.
        session.rollback()
        raise RuleError(WHOLE, "sent_twice") from None
    if author is not None:
        audit.record(
            session,
            "talk.wrote",
            actor_id=author.id,
            target_type="conversation",
            target_id=conversation.id,
            detail=f"line {message.seq}",
            centre_id=conversation.centre_id,
        )
    return message, True


def lines_after(session: Session, conversation_id: int, seq: int) -> list[ConversationMessage]:
    return list(
        session.scalars(
            select(ConversationMessage)
            .where(
                ConversationMessage.conversation_id == conversation_id,
                ConversationMessage.seq > seq,
            )
            .order_by(ConversationMessage.seq)
        )
    )


def take(session: Session, conversation_id: int, staff: Staff) -> Conversation:
    """A member takes a waiting conversation; two at once: one gets it."""
    conversation = _locked(session, conversation_id)
    if conversation.status != ConversationStatus.WAITING:
        raise RuleError(WHOLE, "already_taken" if is_open(conversation) else "conversation_ended")
    conversation.status = ConversationStatus.ACTIVE
    conversation.staff_id = staff.id
    conversation.taken_at = clock.now()
    _append(session, conversation, sender=Sender.SYSTEM, event="taken", author=staff)
    session.flush()
    audit.record(
        session,
        "talk.taken",
        actor_id=staff.id,
        target_type="conversation",
        target_id=conversation.id,
        centre_id=conversation.centre_id,
    )
    return conversation


def hand_over(session: Session, conversation_id: int, staff: Staff, to: Staff) -> Conversation:
    conversation = _locked(session, conversation_id)
    if not is_open(conversation):
        raise RuleError(WHOLE, "conversation_ended")
    if conversation.staff_id != staff.id:
        raise RuleError(WHOLE, "not_yours")
    if to.id == staff.id or not to.is_active:
        raise RuleError("to_staff", "invalid")
    conversation.staff_id = to.id
    _append(session, conversation, sender=Sender.SYSTEM, event="handed_over", author=staff)
    session.flush()
    audit.record(
        session,
        "talk.handed_over",
        actor_id=staff.id,
        target_type="conversation",
        target_id=conversation.id,
        detail=f"to staff {to.id}",
        centre_id=conversation.centre_id,
    )
    return conversation


def set_interpreter_needed(
    session: Session, conversation: Conversation, staff: Staff, needed: bool
) -> None:
    conversation.interpreter_needed = needed
    session.flush()
    audit.record(
        session,
        "talk.interpreter",
        actor_id=staff.id,
        target_type="conversation",
        target_id=conversation.id,
        detail="needed" if needed else "not needed",
        centre_id=conversation.centre_id,
    )


def end(
    session: Session,
    conversation_id: int,
    reason: EndReason,
    *,
    staff: Staff | None = None,
) -> Conversation:
    """End it, for both sides at once. Her browser's token opens nothing
    afterwards but the page that says how it ended. When she wrote anything
    it becomes a request now (kind "conversation")."""
    conversation = _locked(session, conversation_id)
    if not is_open(conversation):
        return conversation
    if reason == EndReason.LEFT and not _gone(conversation, clock.now()):
        # Seen again since the sweep looked (it reads without the lock).
        return conversation
    by_staff = reason in (EndReason.BY_STAFF, EndReason.BLOCKED)
    if by_staff and (staff is None or conversation.staff_id != staff.id):
        raise RuleError(WHOLE, "not_yours")
    now = clock.now()
    conversation.status = ConversationStatus.ENDED
    conversation.ended_at = now
    conversation.end_reason = reason
    _append(session, conversation, sender=Sender.SYSTEM, event=f"ended_{reason}", author=staff)
    session.flush()
    if conversation.intake_id is None and _she_wrote(session, conversation):
        conversation.intake_id = _as_request(session, conversation).id
    session.flush()
    if staff is not None:
        audit.record(
            session,
            "talk.blocked" if reason == EndReason.BLOCKED else "talk.ended",
            actor_id=staff.id,
            target_type="conversation",
            target_id=conversation.id,
            centre_id=conversation.centre_id,
        )
    return conversation


def forget_token(session: Session, conversation: Conversation) -> None:
    """After her page showed how it ended: the cookie opens nothing more."""
    conversation.token_key = None
    session.flush()


def _she_wrote(session: Session, conversation: Conversation) -> bool:
    return bool(
        session.scalar(
            select(func.count(ConversationMessage.id)).where(
                ConversationMessage.conversation_id == conversation.id,
                ConversationMessage.sender == Sender.PERSON,
            )
        )
    )


def _as_request(session: Session, conversation: Conversation) -> Intake:
    intake = Intake(
        centre_id=conversation.centre_id,
        kind=IntakeKind.CONVERSATION,
        status=IntakeStatus.NEW,
        language=conversation.language,
        contact_language=conversation.language,
        interpreter_needed=conversation.interpreter_needed or None,
        return_code_key=conversation.return_code_key,
        created_at=conversation.created_at,
    )
    if conversation.staff_id is not None:
        # Who talked with her carries it on (the triage "taken").
        intake.assigned_to_id = conversation.staff_id
        intake.claimed_at = conversation.taken_at
        intake.status = IntakeStatus.IN_PROGRESS
        # She was reached: the conversation was the first contact.
        intake.first_contact_at = conversation.taken_at
    intake.priority = priority.static_priority(intake)
    session.add(intake)
    session.flush()
    return intake


def conversation_of(session: Session, intake: Intake) -> Conversation | None:
    return session.scalar(select(Conversation).where(Conversation.intake_id == intake.id))


def keep_in_mailbox(session: Session, conversation: Conversation, keep: bool) -> None:
    """Her choice at the end: read the conversation again with her code."""
    conversation.in_mailbox = keep
    session.flush()


def sweep(session: Session, centre_id: int | None = None) -> list[int]:
    """End the conversations whose page is gone (closed, lost): "left". Run
    where lists are read (the waiting list, the streams), so no job is needed.
    Returns their ids."""
    now = clock.now()
    query = select(Conversation.id).where(Conversation.status != ConversationStatus.ENDED)
    if centre_id is not None:
        query = query.where(Conversation.centre_id == centre_id)
    ended = []
    candidates = session.scalars(select(Conversation).where(Conversation.id.in_(query))).all()
    for candidate in candidates:
        if not _gone(candidate, now):
            continue
        # end() looks again under the row lock: she may have come back.
        if end(session, candidate.id, EndReason.LEFT).status == ConversationStatus.ENDED:
            ended.append(candidate.id)
    return ended


def _gone(conversation: Conversation, now: datetime) -> bool:
    quiet_for = (
        GONE_WHILE_WAITING
        if conversation.status == ConversationStatus.WAITING
        else GONE_WHILE_TALKING
    )
    return now - conversation.person_seen_at > quiet_for or now - conversation.created_at > LONGEST
