"""The triage queue: open requests, most urgent first, with filters and pages.

The database sorts and pages; a page reads only the columns the queue shows
(codes, times, ids), never a request's personal fields, so showing the queue
decrypts nothing but the risk factors of the referrals on the page (their
reasons to be on top).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import Session

from core.infra.ids import parse_id
from core.intake import priority
from core.intake.triage import OPEN_STATUSES
from core.model import (
    Intake,
    IntakeKind,
    IntakeStatus,
    Message,
    MessageDirection,
    Municipality,
    Referral,
)

PAGE_SIZE = 50
ASSIGNED_CHOICES = ("me", "unassigned")
# A call-back she booked (Talk now) comes on top of the queue this long before
# its time, and stays there until someone reached her.
CALLBACK_DUE_BEFORE = timedelta(minutes=15)


def callback_due(intake: Intake | QueueItem, now: datetime) -> bool:
    return (
        intake.callback_at is not None
        and intake.first_contact_at is None
        and intake.callback_at <= now + CALLBACK_DUE_BEFORE
    )


def _callback_due_sql(now: datetime):
    return and_(
        Intake.callback_at.is_not(None),
        Intake.first_contact_at.is_(None),
        Intake.callback_at <= now + CALLBACK_DUE_BEFORE,
    )


@dataclass(frozen=True)
class QueueFilters:
    """What the queue page's filter form sends; anything unknown is ignored."""

    status: str | None = None
    kind: str | None = None
    municipality_id: int | None = None
    assigned: str | None = None
    language: str | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        status = args.get("status") or None
        kind = args.get("kind") or None
        municipality = args.get("municipality") or ""
        assigned = args.get("assigned") or None
        return cls(
            status=status if status in {*OPEN_STATUSES, IntakeStatus.DECIDED, "all"} else None,
            kind=kind if kind in set(IntakeKind) else None,
            municipality_id=parse_id(municipality),
            assigned=assigned if assigned in ASSIGNED_CHOICES else None,
            language=(args.get("language") or None),
            # parse_id: "²", "-1" or 30 digits are page 1, never a server error.
            page=parse_id(args.get("page") or "") or 1,
        )


@dataclass(frozen=True, slots=True)
class ReferralUrgency:
    """What a referral adds to a request's place in the queue."""

    urgency: str
    risk_concerns: list[str] | None


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A request as the queue shows it: no name, no contact details, no story."""

    id: int
    kind: str
    status: str
    language: str
    danger_now: bool
    children_involved: str | None
    created_at: datetime
    first_contact_at: datetime | None
    callback_at: datetime | None
    assigned_to_id: int | None
    municipality_name: str | None
    referral: ReferralUrgency | None


# The queue's columns: each one is on the page or decides a row's place there.
_ITEM_COLUMNS = (
    Intake.id,
    Intake.kind,
    Intake.status,
    Intake.language,
    Intake.danger_now,
    Intake.children_involved,
    Intake.created_at,
    Intake.first_contact_at,
    Intake.callback_at,
    Intake.assigned_to_id,
    Municipality.name.label("municipality_name"),
    Referral.id.label("referral_id"),
    Referral.urgency,
    Referral.risk_concerns,
)


def _item(row) -> QueueItem:
    referral = (
        ReferralUrgency(urgency=row.urgency, risk_concerns=row.risk_concerns)
        if row.referral_id is not None
        else None
    )
    return QueueItem(
        id=row.id,
        kind=row.kind,
        status=row.status,
        language=row.language,
        danger_now=row.danger_now,
        children_involved=row.children_involved,
        created_at=row.created_at,
        first_contact_at=row.first_contact_at,
        callback_at=row.callback_at,
        assigned_to_id=row.assigned_to_id,
        municipality_name=row.municipality_name,
        referral=referral,
    )


@dataclass(frozen=True)
class QueueRow:
    intake: QueueItem
    reasons: list[priority.Reason]
    overdue: bool
    waiting: timedelta
    # A booked call-back whose time has come (or nearly): on top of the queue.
    callback_due: bool = False


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int

    @property
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total


def _filtered(query, filters: QueueFilters, staff_id: int, centre_id: int):
    # The centre first: the queue's indexes lead with it.
    query = query.where(Intake.centre_id == centre_id)
    if filters.status == "all":
        query = query.where(Intake.status != IntakeStatus.ERASED)
    elif filters.status:
        query = query.where(Intake.status == filters.status)
    else:
        query = query.where(Intake.status.in_(OPEN_STATUSES))
    if filters.kind:
        query = query.where(Intake.kind == filters.kind)
    if filters.municipality_id:
        query = query.where(Intake.municipality_id == filters.municipality_id)
    if filters.assigned == "me":
        query = query.where(Intake.assigned_to_id == staff_id)
    elif filters.assigned == "unassigned":
        query = query.where(Intake.assigned_to_id.is_(None))
    if filters.language:
        query = query.where(Intake.language == filters.language)
    return query


def _unread_sql():
    """Whether the request has a message from the requester nobody has read
    yet: the message itself is not read (nor decrypted)."""
    return (
        exists()
        .where(
            Message.intake_id == Intake.id,
            Message.direction == MessageDirection.FROM_REQUESTER,
            Message.read_at.is_(None),
        )
        .label("unread")
    )


def load(
    session: Session,
    filters: QueueFilters,
    *,
    staff_id: int,
    centre_id: int,
    now: datetime,
    target: timedelta,
    hidden: Select | None = None,
) -> QueuePage:
    """One page of one centre's queue; `hidden` selects ids of requests this
    member may not see (those in case files they cannot open). One query:
    the page's rows, each with the number of rows in all and whether it has
    unread messages; a page past the last asks again for the last."""
    score = (Intake.priority + priority.waiting_points_sql(now, target)).label("score")
    query = _filtered(
        select(*_ITEM_COLUMNS, _unread_sql(), func.count().over().label("total"))
        .outerjoin(Municipality, Municipality.id == Intake.municipality_id)
        .outerjoin(Referral, Referral.intake_id == Intake.id),
        filters,
        staff_id,
        centre_id,
    )
    if hidden is not None:
        query = query.where(Intake.id.not_in(hidden))
    # Due call-backs first, the earliest booked time first: she waits for
    # that call at that time.
    due_first = case((_callback_due_sql(now), 0), else_=1)
    due_time = case((_callback_due_sql(now), Intake.callback_at), else_=None)
    query = query.order_by(
        due_first, due_time.asc(), score.desc(), Intake.created_at.asc(), Intake.id.asc()
    ).limit(PAGE_SIZE)
    page = filters.page
    found = session.execute(query.offset((page - 1) * PAGE_SIZE)).all()
    if not found and page > 1:
        # Past the last page shows the last page: a bookmark of page 3 of a
        # queue that shrank, or a typed number.
        counted = _filtered(select(func.count(Intake.id)), filters, staff_id, centre_id)
        if hidden is not None:
            counted = counted.where(Intake.id.not_in(hidden))
        total = session.scalar(counted) or 0
        page = max(1, -(-total // PAGE_SIZE))
        found = session.execute(query.offset((page - 1) * PAGE_SIZE)).all() if total else []
    total = found[0].total if found else 0
    rows = []
    for row in found:
        item = _item(row)
        waiting = now - item.created_at
        rows.append(
            QueueRow(
                intake=item,
                reasons=priority.reasons_now(item, now, target, unread_messages=row.unread),
                overdue=item.first_contact_at is None and waiting >= target,
                waiting=waiting,
                callback_due=callback_due(item, now),
            )
        )
    return QueuePage(rows=rows, total=total, page=page)
