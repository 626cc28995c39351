"""The triage queue: open requests, most urgent first, with filters and pages.

The database sorts and pages; a page reads only the columns the queue shows
(codes, times, ids), never a request's personal fields, so showing the queue
decrypts nothing but the risk factors of the referrals on the page (their
reasons to be on top).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Label,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    select,
)
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
from core.model.intake import OPEN_STATUS_LITERALS

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


def _callback_due_sql(due_by):
    """callback_due in SQL; `due_by` is now + CALLBACK_DUE_BEFORE (a bound
    parameter in the queue's statement)."""
    return and_(
        Intake.callback_at.is_not(None),
        Intake.first_contact_at.is_(None),
        Intake.callback_at <= due_by,
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


# The row's first columns are QueueItem's fields, in its order (_ITEM_COLUMNS).
_ITEM_FIELDS = len(_ITEM_COLUMNS) - 3


def _item(row) -> QueueItem:
    referral = (
        ReferralUrgency(urgency=row.urgency, risk_concerns=row.risk_concerns)
        if row.referral_id is not None
        else None
    )
    # Positional: the row's first columns are the item's fields, in order.
    r = tuple(row)
    return QueueItem(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], referral)


@dataclass(frozen=True)
class QueueRow:
    intake: QueueItem
    reasons: list[priority.Reason]
    overdue: bool
    waiting: timedelta
    # A booked call-back whose time has come (or nearly): on top of the queue.
    callback_due: bool = False


@dataclass(frozen=True)
class Along:
    """Scalar subqueries of the same page (what its other parts count) that
    ride in the queue's statement, so the page makes one round trip for all
    of them instead of one each. `columns` must be built once (lru_cache):
    the statement with them is cached by their identity. `params`: the
    values of their bound parameters (names apart from the queue's q_*)."""

    columns: tuple[Label, ...] = ()
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    # The values of Along's columns, by label.
    along: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total


@dataclass(frozen=True)
class _Shape:
    """Which conditions a queue's statement has: the filters' kinds, not their
    values (those are bound parameters), so one statement per shape is built
    once and serves every request."""

    status: str  # "open", "all" or "one"
    kind: bool
    municipality: bool
    assigned: str | None
    language: bool

    @classmethod
    def of(cls, filters: QueueFilters) -> _Shape:
        status = "all" if filters.status == "all" else ("one" if filters.status else "open")
        return cls(
            status=status,
            kind=bool(filters.kind),
            municipality=bool(filters.municipality_id),
            assigned=filters.assigned,
            language=bool(filters.language),
        )


def _params(filters: QueueFilters, staff_id: int, centre_id: int, now: datetime, target):
    """The values of the statement's bound parameters (see _Shape)."""
    return {
        "q_centre_id": centre_id,
        "q_status": filters.status,
        "q_kind": filters.kind,
        "q_municipality_id": filters.municipality_id,
        "q_staff_id": staff_id,
        "q_language": filters.language,
        "q_callback_due_by": now + CALLBACK_DUE_BEFORE,
        "q_overdue_since": now - target,
        "q_long_overdue_since": now - 2 * target,
    }


def _filtered(query, shape: _Shape):
    # The centre first: the queue's indexes lead with it.
    query = query.where(Intake.centre_id == bindparam("q_centre_id"))
    if shape.status == "all":
        query = query.where(Intake.status != IntakeStatus.ERASED)
    elif shape.status == "one":
        query = query.where(Intake.status == bindparam("q_status"))
    else:
        # The statuses written into the statement's text, not bound (and not
        # one list parameter, which is expanded into the text on every
        # execution): PostgreSQL plans a prepared statement once for any
        # values of its parameters. With the statuses unknown it expected
        # most of the centre's requests to be open and chose a plan that
        # reads them all (0.50 ms, against 0.24 for the plan that knows
        # them), so it planned the statement again on every run instead
        # (0.45 ms each). Their words are the index ix_intakes_open's.
        query = query.where(Intake.status.in_(OPEN_STATUS_LITERALS))
    if shape.kind:
        query = query.where(Intake.kind == bindparam("q_kind"))
    if shape.municipality:
        query = query.where(Intake.municipality_id == bindparam("q_municipality_id"))
    if shape.assigned == "me":
        query = query.where(Intake.assigned_to_id == bindparam("q_staff_id"))
    elif shape.assigned == "unassigned":
        query = query.where(Intake.assigned_to_id.is_(None))
    if shape.language:
        query = query.where(Intake.language == bindparam("q_language"))
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


# Building the statement took a fifth of the queue page's time (SQLAlchemy
# coerces each clause anew); a few shapes cover every filter form.
@lru_cache(maxsize=128)
def _page_query(shape: _Shape, along: tuple[Label, ...] = ()) -> Select:
    score = (
        Intake.priority
        + priority.waiting_points_since(
            bindparam("q_overdue_since"), bindparam("q_long_overdue_since")
        )
    ).label("score")
    # Due call-backs first, the earliest booked time first: she waits for
    # that call at that time.
    callback_due_sql = _callback_due_sql(bindparam("q_callback_due_by"))
    due_first = case((callback_due_sql, 0), else_=1)
    due_time = case((callback_due_sql, Intake.callback_at), else_=None)
    return (
        _filtered(
            select(*_ITEM_COLUMNS, _unread_sql(), func.count().over().label("total"), *along)
            .outerjoin(Municipality, Municipality.id == Intake.municipality_id)
            .outerjoin(Referral, Referral.intake_id == Intake.id),
            shape,
        )
        .order_by(due_first, due_time.asc(), score.desc(), Intake.created_at.asc(), Intake.id.asc())
        .limit(PAGE_SIZE)
        .offset(bindparam("q_offset", type_=Integer))
    )


def _at_last_page(query: Select, counted: Select) -> Select:
    """`query` at the offset of its last page (the first when it has no row),
    `counted` counting its rows."""
    # (n - 1) // size is 0 for n = 0 on both backends (-1 / 50 is 0 in SQL).
    return query.offset((counted.scalar_subquery() - 1) // PAGE_SIZE * PAGE_SIZE)


def _counted(shape: _Shape) -> Select:
    return _filtered(select(func.count(Intake.id)), shape)


# Built once per shape like _page_query: building it took 2 ms, more than
# the statement it spares.
@lru_cache(maxsize=128)
def _last_page_query(shape: _Shape, along: tuple[Label, ...]) -> Select:
    return _at_last_page(_page_query(shape, along), _counted(shape))


def _on_last_page(query: Select, shape: _Shape, along: Along, hidden: Select | None) -> Select:
    if hidden is None:
        return _last_page_query(shape, along.columns)
    return _at_last_page(query, _counted(shape).where(Intake.id.not_in(hidden)))


def load(
    session: Session,
    filters: QueueFilters,
    *,
    staff_id: int,
    centre_id: int,
    now: datetime,
    target: timedelta,
    hidden: Select | None = None,
    along: Along = Along(),
) -> QueuePage:
    """One page of one centre's queue; `hidden` selects ids of requests this
    member may not see (those in case files they cannot open). One query:
    the page's rows, each with the number of rows in all, whether it has
    unread messages and the values of `along`; a page past the last asks
    again for the last, an empty queue asks for `along` alone."""
    shape = _Shape.of(filters)
    query = _page_query(shape, along.columns)
    if hidden is not None:
        query = query.where(Intake.id.not_in(hidden))
    params = {**_params(filters, staff_id, centre_id, now, target), **along.params}
    # Columns, not objects: run on the session's connection (its transaction),
    # which spares the ORM's handling of each of the 50 rows (about a third
    # of the statement's time on SQLite). What the session holds unflushed is
    # flushed first, as its own execute would.
    session.flush()
    connection = session.connection()

    def rows_of(page: int):
        return connection.execute(query, {**params, "q_offset": (page - 1) * PAGE_SIZE}).all()

    page = filters.page
    found = rows_of(page)
    if not found and page > 1:
        # Past the last page shows the last page: a bookmark of page 3 of a
        # queue that shrank, or a typed number. One more statement, whose
        # offset is the last page's (counted in it), not a count and another.
        found = connection.execute(_on_last_page(query, shape, along, hidden), params).all()
        page = max(1, -(-found[0].total // PAGE_SIZE)) if found else 1
    return QueuePage(
        rows=_rows(found, now, target),
        total=found[0].total if found else 0,
        page=page,
        along=_along(found, along, connection),
    )


def _along(found, along: Along, connection) -> dict[str, Any]:
    names = [column.name for column in along.columns]
    if not names:
        return {}
    if found:
        return {name: getattr(found[0], name) for name in names}
    return dict(connection.execute(select(*along.columns), along.params).one()._mapping)


def _rows(found, now: datetime, target: timedelta) -> list[QueueRow]:
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
    return rows
