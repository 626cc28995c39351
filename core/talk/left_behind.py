"""What a person leaves when nobody is there to talk: a message (a mailbox
request with its return code) or a booked call-back at a time the team is
there and she says is safe. Both are requests of kind "conversation", with a
conversation row that says which (the figures count them apart)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.infra import clock
from core.infra.blind_index import phone_index
from core.intake import priority, return_codes
from core.intake.intakes import DAYS, blank_to_none
from core.intake.safe_window import TIME_WINDOWS
from core.model import (
    Centre,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Intake,
    IntakeKind,
    IntakeStatus,
)
from core.network.centre_keys import encrypting_for_centre
from core.rules import RuleError
from core.talk import hours

STORY_MAX = 4000
SLOT_STEP = timedelta(minutes=30)
# The team needs a little time to see the booking before it is due.
SLOT_NOTICE = timedelta(minutes=30)
SLOT_DAYS = 7


def callback_slots(centre: Centre) -> list[datetime]:
    return hours.slots(centre, clock.now(), step=SLOT_STEP, notice=SLOT_NOTICE, days=SLOT_DAYS)


@dataclass(frozen=True)
class CallBack:
    phone: str
    slot: datetime
    may_voicemail: bool = False
    say_who: bool = False
    message: str | None = None
    safe_word: str | None = None


def _request(
    session: Session,
    centre: Centre,
    kind: ConversationKind,
    language: str,
    fill,
) -> tuple[Intake, str]:
    code = return_codes.generate()
    key = return_codes.lookup_key(code)
    now = clock.now()
    intake = Intake(
        centre_id=centre.id,
        kind=IntakeKind.CONVERSATION,
        status=IntakeStatus.NEW,
        language=language,
        contact_language=language,
        return_code_key=key,
        created_at=now,
    )
    fill(intake)
    intake.priority = priority.static_priority(intake)
    session.add(intake)
    with encrypting_for_centre(session, centre.id):
        session.flush()
    session.add(
        Conversation(
            centre_id=centre.id,
            kind=kind,
            status=ConversationStatus.ENDED,
            language=language,
            # The request holds the code's key; this row must not clash with it.
            return_code_key=return_codes.lookup_key(return_codes.generate()),
            created_at=now,
            ended_at=now,
            person_seen_at=now,
            intake_id=intake.id,
        )
    )
    session.flush()
    return intake, code


def _safe_time_of(centre: Centre, slot: datetime) -> tuple[str, str | None]:
    local = slot.astimezone(ZoneInfo(centre.timezone or "Europe/Brussels"))
    part = next(
        (code for code, (start, end) in TIME_WINDOWS.items() if start <= local.time() < end),
        None,
    )
    return DAYS[local.weekday()], part


def leave_message(session: Session, centre: Centre, language: str, text: str) -> tuple[Intake, str]:
    story = blank_to_none(text)
    if story is None:
        raise RuleError("message", "missing")
    if len(story) > STORY_MAX:
        raise RuleError("message", "too_long")

    def fill(intake: Intake) -> None:
        intake.story = story

    return _request(session, centre, ConversationKind.MESSAGE, language, fill)


def book_call_back(
    session: Session, centre: Centre, language: str, booking: CallBack
) -> tuple[Intake, str]:
    if booking.slot not in callback_slots(centre):
        # Taken from an old page, or a time the team is not there.
        raise RuleError("slot", "not_offered")
    message = blank_to_none(booking.message)
    if message is not None and len(message) > STORY_MAX:
        raise RuleError("message", "too_long")

    def fill(intake: Intake) -> None:
        intake.phone = booking.phone
        intake.phone_index = phone_index(booking.phone)
        intake.may_call = True
        intake.may_text = False
        intake.may_voicemail = booking.may_voicemail
        intake.phone_say_who = booking.say_who
        intake.safe_word = blank_to_none(booking.safe_word)
        intake.callback_at = booking.slot
        # The rules every attempt is checked against say the same: that day,
        # that part of the day (the booked slot is her safe time).
        intake.safe_days, intake.safe_times = _safe_time_of(centre, booking.slot)
        intake.story = message

    return _request(session, centre, ConversationKind.CALLBACK, language, fill)
