"""The triage queue: open requests, most urgent first, with filters and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from core.infra.ids import parse_id
from core.intake import priority
from core.intake.triage import OPEN_STATUSES
from core.model import Intake, IntakeKind, IntakeStatus, Message, MessageDirection

PAGE_SIZE = 50
ASSIGNED_CHOICES = ("me", "unassigned")
# A call-back she booked (Talk now) comes on top of the queue this long before
# its time, and stays there until someone reached her.
CALLBACK_DUE_BEFORE = timedelta(minutes=15)


def callback_due(intake: Intake, now: datetime) -> bool:
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


@dataclass(frozen=True)
class QueueRow:
    intake: Intake
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
    member may not see (those in case files they cannot open)."""
    score = (Intake.priority + priority.waiting_points_sql(now, target)).label("score")
    query = _filtered(select(Intake), filters, staff_id, centre_id)
    counted = _filtered(select(func.count(Intake.id)), filters, staff_id, centre_id)
    if hidden is not None:
        query = query.where(Intake.id.not_in(hidden))
        counted = counted.where(Intake.id.not_in(hidden))
    total = session.scalar(counted) or 0
    # Past the last page shows the last page: an offset is never out of range.
    page = min(filters.page, max(1, -(-total // PAGE_SIZE)))
    # Due call-backs first, the earliest booked time first: she waits for
    # that call at that time.
    due_first = case((_callback_due_sql(now), 0), else_=1)
    due_time = case((_callback_due_sql(now), Intake.callback_at), else_=None)
    intakes = session.scalars(
        query.options(selectinload(Intake.referral), selectinload(Intake.municipality))
        .order_by(due_first, due_time.asc(), score.desc(), Intake.created_at.asc(), Intake.id.asc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    # One query for the page's unread messages, without reading (decrypting) them.
    unread_ids = set(
        session.scalars(
            select(Message.intake_id).where(
                Message.intake_id.in_([i.id for i in intakes]),
                Message.direction == MessageDirection.FROM_REQUESTER,
                Message.read_at.is_(None),
            )
        )
    )
    rows = []
    for intake in intakes:
        unread = intake.id in unread_ids
        waiting = now - intake.created_at
        rows.append(
            QueueRow(
                intake=intake,
                reasons=priority.reasons_now(intake, now, target, unread_messages=unread),
                overdue=intake.first_contact_at is None and waiting >= target,
                waiting=waiting,
                callback_due=callback_due(intake, now),
            )
        )
    return QueuePage(rows=rows, total=total, page=page)
