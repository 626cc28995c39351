"""The action plan of a case file: what has to happen, who does it (someone of
the team or a partner of the same file), by when, and how far it is.

An action is overdue when it is still open or in progress and its due date is
before today (the centre's date). `overdue_for` gives the staff home page its
list in one query; `count_overdue` gives the figures their number. A refusal
is a RuleError naming every problem at once (field -> code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from functools import lru_cache

from sqlalchemy import (
    BindParameter,
    Date,
    Integer,
    Label,
    Select,
    bindparam,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, aliased

from core.casework.cases import can_view, record
from core.infra import clock
from core.infra.ids import parse_id
from core.model import (
    Case,
    CaseAction,
    CaseMember,
    CasePartner,
    CaseStatus,
    Role,
    Staff,
    StaffCentre,
)
from core.rules import RuleError

STATUSES = ("open", "in_progress", "done", "cancelled")
# Still to be done: only these can be overdue.
ACTIVE_STATUSES = ("open", "in_progress")
TITLE_MAX = 500
STAFF_OWNER = "staff"
PARTNER_OWNER = "partner"


@dataclass(frozen=True)
class Owner:
    """Who an action is for: one staff member or one partner of the file."""

    staff_id: int | None = None
    partner_id: int | None = None

    @property
    def value(self) -> str:
        if self.staff_id is not None:
            return f"{STAFF_OWNER}:{self.staff_id}"
        return f"{PARTNER_OWNER}:{self.partner_id}"


def parse_day(value: date | str | None) -> date | None:
    """A date from a form ("2026-12-01"); blank is no date. ValueError if unreadable."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    return date.fromisoformat(text) if text else None


def opened_on(case: Case, zone: tzinfo) -> date:
    """The day the file was opened, where the centre is."""
    return case.opened_at.astimezone(zone).date()


def team_for(session: Session, case: Case) -> list[Staff]:
    """Staff who may own an action: the case director, the invited colleagues
    and the file's centre's active coordinators, all active (they can open the file)."""
    invited = select(CaseMember.staff_id).where(CaseMember.case_id == case.id)
    of_centre = select(StaffCentre.staff_id).where(StaffCentre.centre_id == case.centre_id)
    return list(
        session.scalars(
            select(Staff)
            .where(
                Staff.is_active.is_(True),
                or_(
                    Staff.id == case.director_id,
                    Staff.id.in_(invited),
                    (Staff.role == Role.COORDINATOR)
                    & ((Staff.centre_id == case.centre_id) | Staff.id.in_(of_centre)),
                ),
            )
            .order_by(Staff.name, Staff.id)
        )
    )


def partners_for(session: Session, case: Case) -> list[CasePartner]:
    """Partners who may own an action: those of this file whose consent has not
    been withdrawn (after a withdrawal the centre may share nothing with them)."""
    return list(
        session.scalars(
            select(CasePartner)
            .where(CasePartner.case_id == case.id, CasePartner.consent_withdrawn_at.is_(None))
            .order_by(CasePartner.id)
        )
    )


def resolve_owner(session: Session, case: Case, value: str | None) -> Owner:
    """ "staff:12" or "partner:3" to an owner this file allows, else RuleError."""
    kind, _, number = (value or "").strip().partition(":")
    owner_id = parse_id(number)
    if owner_id is None:
        raise RuleError({"owner": "owner_missing"})
    if kind == STAFF_OWNER:
        staff = session.get(Staff, owner_id)
        # Whoever owns an action must be able to open the file it is in.
        if staff is None or not staff.is_active or not can_view(staff, case, session):
            raise RuleError({"owner": "owner_cannot_see"})
        return Owner(staff_id=staff.id)
    if kind == PARTNER_OWNER:
        partner = session.get(CasePartner, owner_id)
        if partner is None or partner.case_id != case.id:
            raise RuleError({"owner": "owner_other_case"})
        if partner.consent_withdrawn_at is not None:
            raise RuleError({"owner": "owner_withdrawn"})
        return Owner(partner_id=partner.id)
    raise RuleError({"owner": "owner_missing"})


def check_due(case: Case, due: date | str | None, zone: tzinfo) -> date | None:
    """The due date, if any; never before the file was opened."""
    try:
        day = parse_day(due)
    except ValueError:
        raise RuleError({"due_on": "due_invalid"}) from None
    if day is not None and day < opened_on(case, zone):
        raise RuleError({"due_on": "due_before_opened"})
    return day


def check_title(title: str | None) -> str:
    text = (title or "").strip()
    if not text:
        raise RuleError({"title": "title_missing"})
    if len(text) > TITLE_MAX:
        raise RuleError({"title": "title_too_long"})
    return text


def validate(
    session: Session, case: Case, *, title: str | None, owner: str | None, due_on, zone: tzinfo
) -> tuple[str, Owner, date | None]:
    """Every field checked, every problem reported together."""
    problems: dict[str, str] = {}
    checked: dict = {}
    for field, check in (
        ("title", lambda: check_title(title)),
        ("owner", lambda: resolve_owner(session, case, owner)),
        ("due_on", lambda: check_due(case, due_on, zone)),
    ):
        try:
            checked[field] = check()
        except RuleError as error:
            problems.update(error.problems)
    if problems:
        raise RuleError(problems)
    return checked["title"], checked["owner"], checked["due_on"]


def _ensure_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise RuleError({"case": "case_closed"})


def add_action(
    session: Session,
    case: Case,
    staff: Staff,
    *,
    title: str | None,
    owner: str | None,
    due_on: date | str | None,
    zone: tzinfo,
    consultation_id: int | None = None,
    log: bool = True,
) -> CaseAction:
    """Add an action to the plan. `log=False` when the caller records one
    timeline event for several actions (a consultation's decisions)."""
    _ensure_open(case)
    text, who, day = validate(session, case, title=title, owner=owner, due_on=due_on, zone=zone)
    action = CaseAction(
        case_id=case.id,
        title=text,
        owner_staff_id=who.staff_id,
        owner_partner_id=who.partner_id,
        due_on=day,
        status="open",
        consultation_id=consultation_id,
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    session.add(action)
    session.flush()
    if log:
        # Codes only: the title and the owner's name stay in the action's row.
        owner_kind = STAFF_OWNER if who.staff_id is not None else PARTNER_OWNER
        record(
            session,
            case,
            staff,
            "case.action_added",
            f"{owner_kind}, open",
            audit_detail=f"action {action.id} {owner_kind}",
        )
    return action


def update_action(
    session: Session,
    case: Case,
    action: CaseAction,
    staff: Staff,
    *,
    status: str,
    zone: tzinfo,
    due_on: date | str | None = None,
    change_due: bool = False,
) -> str:
    """Change the status (and, with `change_due`, the due date). Done stamps
    the time; opening it again clears it. Returns the status it had."""
    _ensure_open(case)
    if action.case_id != case.id:
        raise RuleError({"action": "other_case"})
    if status not in STATUSES:
        raise RuleError({"status": "status_unknown"})
    day = check_due(case, due_on, zone) if change_due else action.due_on
    before = action.status
    action.status = status
    action.due_on = day
    if status == "done":
        if before != "done":
            action.done_at = clock.now()
    else:
        action.done_at = None
    session.flush()
    record(
        session,
        case,
        staff,
        "case.action_updated",
        f"{before} → {status}",
        audit_detail=f"action {action.id} {before} {status}",
    )
    return before


def is_overdue(action: CaseAction, today: date) -> bool:
    return action.status in ACTIVE_STATUSES and action.due_on is not None and action.due_on < today


def actions_of(session: Session, case: Case) -> list[CaseAction]:
    """The plan: what is still to do first (earliest due date first, no date
    last), then what is done or cancelled."""
    actions = session.scalars(select(CaseAction).where(CaseAction.case_id == case.id)).all()
    return sorted(
        actions,
        key=lambda a: (
            a.status not in ACTIVE_STATUSES,
            a.due_on is None,
            a.due_on or date.min,
            a.id,
        ),
    )


def _overdue_condition(today: date | BindParameter[date]):
    # One bound value per status, not one list parameter, which SQLAlchemy
    # would expand into the text of the statement (the home page's queue
    # with it) on every execution.
    active = (literal(status, CaseAction.status.type) for status in ACTIVE_STATUSES)
    return (
        CaseAction.status.in_(active),
        CaseAction.due_on.is_not(None),
        CaseAction.due_on < today,
        Case.status == CaseStatus.OPEN,
    )


@dataclass(frozen=True)
class OverdueAction:
    action: CaseAction
    case_id: int
    case_number: str
    owner_name: str
    mine: bool


# The home page shows the most pressing ones; a coordinator of a large centre
# may have hundreds, and the page must stay quick to read and to load.
HOME_LIMIT = 20


def _visible(query, *, director: bool, staff_id, centre_id):
    """Only actions on files of this centre that the member may see (a
    coordinator: all; a case director: the files they direct or are invited
    into). The ids are values or bind parameters."""
    # Both sides name the centre, so the planner can take each side's index
    # that leads with it instead of every centre's open files (bench/scale.py).
    query = query.where(CaseAction.centre_id == centre_id, Case.centre_id == centre_id)
    if director:
        invited = select(CaseMember.case_id).where(CaseMember.staff_id == staff_id)
        return query.where(or_(Case.director_id == staff_id, Case.id.in_(invited)))
    return query


# Built once per role and limit, with the member, the centre and the day as
# bind parameters: building it (an aliased join around a ranked subquery)
# took longer than running it on a home page with nothing overdue.
@lru_cache(maxsize=8)
def _overdue_query(director: bool, limit: int | None) -> Select:
    staff_id: BindParameter[int] = bindparam("staff_id", type_=Integer)
    mine = CaseAction.owner_staff_id == staff_id
    order = (sql_case((mine, 0), else_=1), CaseAction.due_on, Case.number, CaseAction.id)
    # Rank on the narrow rows first, then fetch owners for the ones shown: a
    # large centre has thousands of overdue actions and shows twenty.
    ranked = _visible(
        select(CaseAction.id)
        .join(Case, Case.id == CaseAction.case_id)
        .where(*_overdue_condition(bindparam("today", type_=Date)))
        .order_by(*order),
        director=director,
        staff_id=staff_id,
        centre_id=bindparam("centre_id", type_=Integer),
    )
    if limit is not None:
        ranked = ranked.limit(limit)
    owner_staff = aliased(Staff)
    return (
        select(CaseAction, Case.number, owner_staff.name, CasePartner.organisation)
        .join(Case, Case.id == CaseAction.case_id)
        .outerjoin(owner_staff, owner_staff.id == CaseAction.owner_staff_id)
        .outerjoin(CasePartner, CasePartner.id == CaseAction.owner_partner_id)
        .where(CaseAction.id.in_(ranked.scalar_subquery()))
        .order_by(*order)
    )


def overdue_for(
    session: Session, staff: Staff, today: date, *, centre_id: int, limit: int | None = None
) -> list[OverdueAction]:
    """Overdue actions on the open files `staff` may see, the actions they own
    first, then the oldest due date; at most `limit`. One query, owners included."""
    if staff.role not in (Role.COORDINATOR, Role.CASE_DIRECTOR):
        return []
    query = _overdue_query(staff.role == Role.CASE_DIRECTOR, limit)
    rows = session.execute(query, _overdue_params(staff, today, centre_id))
    return [
        OverdueAction(
            action=action,
            case_id=action.case_id,
            case_number=number,
            owner_name=staff_name or organisation or "",
            mine=action.owner_staff_id == staff.id,
        )
        for action, number, staff_name, organisation in rows
    ]


def overdue_total_along(
    staff: Staff, today: date, *, centre_id: int
) -> tuple[Label[int], dict[str, object]] | None:
    """How many overdue actions `staff` may see in all, as a scalar subquery
    labelled "overdue_total" with its parameters, for a statement that
    selects it along with other rows (the home page's queue); None for a
    role that sees no overdue actions (overdue_for lists none for them)."""
    if staff.role not in (Role.COORDINATOR, Role.CASE_DIRECTOR):
        return None
    column = _overdue_total_column(staff.role == Role.CASE_DIRECTOR)
    return column, _overdue_params(staff, today, centre_id)


def _overdue_params(staff: Staff, today: date, centre_id: int) -> dict[str, object]:
    return {"staff_id": staff.id, "centre_id": centre_id, "today": today}


# Built once per role, like _overdue_query; a statement that selects it is
# cached by its identity (core.intake.queue.Along).
@lru_cache(maxsize=2)
def _overdue_total_column(director: bool) -> Label[int]:
    counted = _visible(
        select(func.count(CaseAction.id))
        .join(Case, Case.id == CaseAction.case_id)
        .where(*_overdue_condition(bindparam("today", type_=Date))),
        director=director,
        staff_id=bindparam("staff_id", type_=Integer),
        centre_id=bindparam("centre_id", type_=Integer),
    )
    return counted.scalar_subquery().label("overdue_total")


def count_overdue(session: Session, today: date, *, centre_id: int) -> int:
    """How many actions on the centre's open case files are overdue on `today`
    (for the figures)."""
    return (
        session.scalar(
            select(func.count(CaseAction.id))
            .join(Case, Case.id == CaseAction.case_id)
            .where(
                CaseAction.centre_id == centre_id,
                Case.centre_id == centre_id,
                *_overdue_condition(today),
            )
        )
        or 0
    )
