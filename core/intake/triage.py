"""Triage: taking a request, reaching the person safely, and deciding.

Every status change is written with its time (IntakeStatusChange), so the time
to first contact and to a decision can be measured without reading a request.
Every change a staff member makes here is recorded in the audit trail by the
same call, in the caller's transaction; a refusal is a RuleError and records
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import cast

from sqlalchemy import (
    BindParameter,
    CursorResult,
    Integer,
    Select,
    and_,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, load_only

from core.governance import audit
from core.infra import clock
from core.intake import priority
from core.intake.safe_window import (
    TIMED_CHANNELS,
    Channel,
    SafeTimes,
    channel_allowed,
    channel_available,
    is_safe_now,
)
from core.model import (
    ContactAttempt,
    Intake,
    IntakeLink,
    IntakeStatus,
    IntakeStatusChange,
    Message,
    MessageDirection,
    Role,
    Staff,
    TriageDecision,
    TriageOutcome,
    restricted_intake_ids,
)
from core.model.intake import OPEN_STATUSES
from core.network.centres import is_member
from core.rules import WHOLE, RuleError

# Who may be given a request: the roles that read requests.
ASSIGNABLE_ROLES = frozenset({Role.COORDINATOR, Role.CASE_DIRECTOR})
# Track 2 and 3 go on in a joint case file; the others end the request here.
CLOSING_OUTCOMES = frozenset(
    {
        TriageOutcome.TRACK_1,
        TriageOutcome.OUT_OF_SCOPE,
        TriageOutcome.COULD_NOT_REACH,
        TriageOutcome.REFERRED_VK,
    }
)
VK = "Vertrouwenscentrum Kindermishandeling"
# Where the person must be sent on: the form asks for the service.
REFERRING_OUTCOMES = frozenset({TriageOutcome.TRACK_1, TriageOutcome.OUT_OF_SCOPE})


class AttemptOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    MESSAGE_LEFT = "message_left"
    NOT_SAFE_NOW = "not_safe_now"
    WRONG_PERSON = "wrong_person"


# Why a change to a request is refused (RuleError codes). A request that is no
# longer open refuses every triage change: the problem is about no one field.
NOT_OPEN = "not_open"


def _not_open() -> RuleError:
    return RuleError(WHOLE, NOT_OPEN)


def _record(
    session: Session, action: str, intake: Intake, staff: Staff, detail: str | None = None
) -> None:
    """The audit row of a triage change: who changed which request (ids only)."""
    audit.record(
        session, action, actor_id=staff.id, target_type="intake", target_id=intake.id, detail=detail
    )


def set_status(session: Session, intake: Intake, status: str, staff: Staff | None) -> None:
    if intake.status == status:
        return
    session.add(
        IntakeStatusChange(
            intake_id=intake.id,
            from_status=intake.status,
            to_status=status,
            staff_id=staff.id if staff else None,
            created_at=clock.now(),
        )
    )
    intake.status = status


@dataclass(frozen=True)
class ClaimResult:
    won: bool
    holder: Staff | None


def claim(session: Session, intake_id: int, staff: Staff) -> ClaimResult:
    """Take an open, unassigned request. Of two people claiming at once exactly
    one wins: the update only applies while nobody holds it (a conditional
    update; PostgreSQL re-checks the condition after the other's commit, SQLite
    runs write transactions one at a time)."""
    now = clock.now()
    # An UPDATE's result is a CursorResult: it counts the rows it changed.
    result = cast(
        CursorResult,
        session.execute(
            update(Intake)
            .where(
                Intake.id == intake_id,
                Intake.assigned_to_id.is_(None),
                Intake.status.in_(OPEN_STATUSES),
            )
            .values(assigned_to_id=staff.id, claimed_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    won = result.rowcount
    intake = session.get(Intake, intake_id, populate_existing=True)
    if intake is None:
        raise RuleError(WHOLE, "not_found")
    if won != 1:
        holder = session.get(Staff, intake.assigned_to_id) if intake.assigned_to_id else None
        return ClaimResult(won=False, holder=holder)
    if intake.status == IntakeStatus.NEW:
        set_status(session, intake, IntakeStatus.IN_PROGRESS, staff)
    _record(session, "intake.claimed", intake, staff)
    session.flush()
    return ClaimResult(won=True, holder=staff)


def assign(session: Session, intake: Intake, to: Staff | None, by: Staff) -> None:
    """A coordinator (re)assigns to an active account, or releases with to=None."""
    if intake.status not in OPEN_STATUSES:
        raise _not_open()
    if to is not None and not to.is_active:
        raise RuleError("staff_id", "inactive")
    if to is not None and to.role not in ASSIGNABLE_ROLES:
        # An administrator manages accounts and may not read requests.
        raise RuleError("staff_id", "not_assignable")
    if to is not None and not is_member(session, to, intake.centre_id):
        # Someone of another centre of the network may not hold its requests.
        raise RuleError("staff_id", "not_assignable")
    intake.assigned_to_id = to.id if to else None
    intake.claimed_at = clock.now() if to else None
    if to is not None and intake.status == IntakeStatus.NEW:
        set_status(session, intake, IntakeStatus.IN_PROGRESS, by)
    _record(session, "intake.assigned", intake, by, f"to staff {to.id}" if to else "released")
    session.flush()


@dataclass(frozen=True)
class AttemptCheck:
    outside_safe_time: bool
    channel_not_allowed: bool

    @property
    def safe(self) -> bool:
        return not (self.outside_safe_time or self.channel_not_allowed)


def check_attempt(intake: Intake, channel: Channel, timezone: str) -> AttemptCheck:
    """Whether an attempt now, this way, keeps to the rules the person gave."""
    safe_times = SafeTimes.from_codes(intake.safe_days, intake.safe_times)
    timed = channel in TIMED_CHANNELS
    return AttemptCheck(
        outside_safe_time=timed and not is_safe_now(safe_times, clock.now(), timezone),
        channel_not_allowed=not channel_allowed(intake, channel),
    )


def available_channels(intake: Intake) -> list[Channel]:
    """The ways staff can have tried: those the request holds details for."""
    return [channel for channel in Channel if channel_available(intake, channel)]


def record_attempt(
    session: Session,
    intake: Intake,
    staff: Staff,
    *,
    channel: Channel,
    outcome: AttemptOutcome,
    note: str | None,
    timezone: str,
) -> tuple[ContactAttempt, AttemptCheck]:
    """Log a try to reach the person, always: the record must say what was
    done, also when it broke the person's rules. Such an attempt is stored with
    its flags (outside the safe times, a way not allowed), counted in the
    figures, and the caller shows it. The warning belongs before the attempt,
    on the form (see check_attempt), not as a refusal after it. A way the
    request holds no details for (a call on an anonymous question) cannot have
    been tried, and is refused."""
    if intake.status not in OPEN_STATUSES:
        raise _not_open()
    if not channel_available(intake, channel):
        raise RuleError("channel", "not_available")
    check = check_attempt(intake, channel, timezone)
    now = clock.now()
    attempt = ContactAttempt(
        intake_id=intake.id,
        staff_id=staff.id,
        channel=channel,
        outcome=outcome,
        note=(note or "").strip() or None,
        outside_safe_time=check.outside_safe_time,
        channel_not_allowed=check.channel_not_allowed,
        created_at=now,
    )
    session.add(attempt)
    if outcome == AttemptOutcome.REACHED:
        if intake.first_contact_at is None:
            intake.first_contact_at = now
        set_status(session, intake, IntakeStatus.IN_PROGRESS, staff)
    else:
        set_status(session, intake, IntakeStatus.CONTACT_ATTEMPTED, staff)
    session.flush()
    flag = "" if check.safe else " outside the rules"
    _record(session, "intake.contact_attempt", intake, staff, f"attempt {attempt.id}{flag}")
    return attempt, check


def decide(
    session: Session,
    intake: Intake,
    staff: Staff,
    *,
    outcome: TriageOutcome,
    referred_to: str | None = None,
    note: str | None = None,
    referred_on: date | str | None = None,
    today: date | None = None,
) -> TriageDecision:
    """`referred_on`: for a referral to the Vertrouwenscentrum
    Kindermishandeling, the day it was made (not after `today`)."""
    if intake.status not in OPEN_STATUSES:
        raise _not_open()
    referred_to = (referred_to or "").strip() or None
    if outcome in REFERRING_OUTCOMES and referred_to is None:
        # Track 1 and out of scope send the person on: to which service?
        raise RuleError("referred_to", "missing")
    now = clock.now()
    day = None
    if outcome == TriageOutcome.REFERRED_VK:
        day = _referral_day(referred_on, today or now.date())
        referred_to = referred_to or VK
    decision = TriageDecision(
        intake_id=intake.id,
        staff_id=staff.id,
        outcome=outcome,
        referred_to=referred_to,
        referred_on=day,
        note=(note or "").strip() or None,
        created_at=now,
    )
    session.add(decision)
    intake.outcome = outcome
    intake.decided_at = now
    if outcome in CLOSING_OUTCOMES:
        set_status(session, intake, IntakeStatus.CLOSED, staff)
        intake.closed_at = now
    else:
        set_status(session, intake, IntakeStatus.DECIDED, staff)
    _record(session, "intake.decided", intake, staff, TriageOutcome(outcome).value)
    session.flush()
    return decision


def _referral_day(value: date | str | None, today: date) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            raise RuleError("referred_on", "invalid") from None
    if value is None:
        raise RuleError("referred_on", "missing")
    if value > today:
        raise RuleError("referred_on", "future")
    return value


def has_unread(intake: Intake) -> bool:
    return any(
        m.direction == MessageDirection.FROM_REQUESTER and m.read_at is None
        for m in intake.messages
    )


def refresh_priority(intake: Intake) -> None:
    """Store the rules' points that do not depend on the clock (core.intake.priority)."""
    intake.priority = priority.static_priority(intake, unread_messages=has_unread(intake))


def mark_read(session: Session, message: Message, read: bool, staff: Staff) -> None:
    """Mark the requester's message read or unread, in the audit trail: who
    read what she wrote is part of the record of her request."""
    message.read_at = clock.now() if read else None
    refresh_priority(message.intake)
    action = "intake.message_read" if read else "intake.message_unread"
    _record(session, action, message.intake, staff, f"message {message.id}")
    session.flush()


def matches(session: Session, intake: Intake, hidden: Select | None = None) -> list[Intake]:
    """Other requests of the same centre with the same phone number or e-mail
    address, compared through their blind indexes (never the plain values);
    `hidden` selects ids the reader may not see (core.casework.cases.hidden_intakes).
    Another centre's requests are never shown here, only that one is known
    there (core.network.known_elsewhere). Only the number, date and door of
    each are read: their personal fields stay encrypted (read on access, as
    another request's own page would)."""
    query = _query_of_matches(intake, hidden, _matches_query)
    if query is None:
        return []
    return list(session.scalars(query, _match_values(intake)))


@dataclass(frozen=True)
class MatchRow:
    """A look-alike as the request's page lists it."""

    id: int
    kind: str
    created_at: datetime
    # Staff linked the two already (IntakeLink, either way round).
    linked: bool


def match_rows(session: Session, intake: Intake, hidden: Select | None = None) -> list[MatchRow]:
    """`matches` as the request's page lists them, with whether each is linked
    to this request: one statement of four columns on the session's
    connection, no ORM objects and no second query for the links."""
    query = _query_of_matches(intake, hidden, _match_rows_query)
    if query is None:
        return []
    rows = session.connection().execute(query, _match_values(intake))
    return [MatchRow(row.id, row.kind, row.created_at, bool(row.linked)) for row in rows]


def _query_of_matches(
    intake: Intake, hidden: Select | None, built: Callable[[bool, bool], Select]
) -> Select | None:
    by_phone, by_email = bool(intake.phone_index), bool(intake.email_index)
    if not (by_phone or by_email):
        return None
    query = built(by_phone, by_email)
    return query if hidden is None else query.where(Intake.id.not_in(hidden))


def _match_values(intake: Intake) -> dict:
    return {
        "centre_id": intake.centre_id,
        "intake_id": intake.id,
        "phone_index": intake.phone_index,
        "email_index": intake.email_index,
    }


@cache
def _matches_query(by_phone: bool, by_email: bool) -> Select:
    """The statement of `matches`, built once per process for each pair of
    indexes a request can hold: the values are bind parameters, so no row is
    kept between requests."""
    return (
        select(Intake)
        .options(load_only(Intake.id, Intake.created_at, Intake.kind))
        .where(*_match_conditions(by_phone, by_email))
        .order_by(Intake.created_at.desc())
    )


@cache
def _match_rows_query(by_phone: bool, by_email: bool) -> Select:
    """The statement of `match_rows`, built once per process like `_matches_query`."""
    me: BindParameter[int] = bindparam("intake_id", type_=Integer)
    linked = (
        select(IntakeLink.id)
        .where(
            or_(
                and_(IntakeLink.intake_id == me, IntakeLink.linked_intake_id == Intake.id),
                and_(IntakeLink.linked_intake_id == me, IntakeLink.intake_id == Intake.id),
            )
        )
        .exists()
        .label("linked")
    )
    return (
        select(Intake.id, Intake.kind, Intake.created_at, linked)
        .where(*_match_conditions(by_phone, by_email))
        .order_by(Intake.created_at.desc())
    )


def _match_conditions(by_phone: bool, by_email: bool) -> list:
    conditions = []
    if by_phone:
        conditions.append(Intake.phone_index == bindparam("phone_index"))
    if by_email:
        conditions.append(Intake.email_index == bindparam("email_index"))
    # A restricted request (GDPR art. 18) is stored, not used: it finds no
    # match and is found by none (core.governance.rights.restriction).
    restricted = restricted_intake_ids()
    return [
        # `+ 0`: the blind index finds the one or two look-alikes. Without
        # table statistics (a database migrated while empty, the benches)
        # SQLite preferred the centre's index and read every request of the
        # centre: 0.5 ms of 2,100 requests on the request's page, 0.004 ms
        # by the blind index. PostgreSQL's own statistics pick that anyway.
        Intake.centre_id + 0 == bindparam("centre_id"),
        or_(*conditions),
        Intake.id != bindparam("intake_id"),
        Intake.status != IntakeStatus.ERASED,
        Intake.id.not_in(restricted),
        # In the same query: whether this request is restricted itself.
        bindparam("intake_id", type_=Integer).not_in(restricted),
    ]


def linked_ids(session: Session, intake: Intake) -> set[int]:
    rows = session.execute(_linked_query(), {"intake_id": intake.id})
    return {other for pair in rows for other in pair if other != intake.id}


@cache
def _linked_query() -> Select:
    # Asked on a request's page that lists look-alikes: built once per process.
    me: BindParameter[int] = bindparam("intake_id", type_=Integer)
    return select(IntakeLink.intake_id, IntakeLink.linked_intake_id).where(
        or_(IntakeLink.intake_id == me, IntakeLink.linked_intake_id == me)
    )


def link(session: Session, intake: Intake, other: Intake, staff: Staff) -> None:
    """Link a request to one that looks like the same person's: only one of
    its matches can be linked. Linking twice changes nothing the second time."""
    if other.id == intake.id:
        raise RuleError("other", "itself")
    if other.id in linked_ids(session, intake):
        return
    if other not in matches(session, intake):
        raise RuleError("other", "not_a_match")
    first, second = sorted((intake.id, other.id))
    session.add(
        IntakeLink(
            intake_id=first, linked_intake_id=second, staff_id=staff.id, created_at=clock.now()
        )
    )
    _record(session, "intake.linked", intake, staff, f"intake {other.id}")
    session.flush()
