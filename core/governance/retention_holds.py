"""Legal holds: a coordinator stops the purge of one case file or request
(a court case, a complaint, a legal obligation to keep it), says why and
when to look at it again; lifting the hold lets the purge take it as usual.

A hold is placed on a record of the member's own centre, found by the number
staff say (a case file's "2026-0042", a request's "#123"). The purge leaves a
record alone while a hold of it is in force (core.governance.retention); a
case file is also kept by a hold on a request it was opened from. Each
change is audited here, in the caller's transaction, with ids and dates only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from core.governance import audit
from core.infra import clock
from core.model import Case, CaseHold, CaseIntake, Intake, IntakeHold, IntakeStatus, Staff
from core.rules import RuleError

REASON_MAX = 2000
# A review date further away than this is no review: the hold must be looked
# at again while people still remember why it was placed.
REVIEW_MAX_YEARS = 10
# The kinds of record a hold stops, as the lift form names them.
CASE_FILE = "case_file"
REQUEST = "request"
_CASE_NUMBER = re.compile(r"^\d{4}-\d{4,}$")
_REQUEST_NUMBER = re.compile(r"^#?\s*(\d{1,12})$")

Hold = CaseHold | IntakeHold


def find_record(session: Session, centre_id: int, reference: str | None) -> Case | Intake:
    """The case file or request of this centre that staff name by its number.
    Another centre's record is not found, like one that does not exist."""
    text = (reference or "").strip()
    if not text:
        raise RuleError("record", "missing")
    found: Case | Intake | None = None
    if _CASE_NUMBER.match(text):
        found = session.scalar(select(Case).where(Case.number == text))
    elif matched := _REQUEST_NUMBER.match(text):
        found = session.get(Intake, int(matched.group(1)))
    if found is None or found.centre_id != centre_id:
        raise RuleError("record", "not_found")
    return found


def active_case_hold(session: Session, case_id: int) -> CaseHold | None:
    return session.scalar(
        select(CaseHold).where(CaseHold.case_id == case_id, CaseHold.lifted_at.is_(None))
    )


def active_intake_hold(session: Session, intake_id: int) -> IntakeHold | None:
    return session.scalar(_active_intake_hold(), {"intake_id": intake_id})


@cache
def _active_intake_hold() -> Select:
    # Asked on every request's page a coordinator opens: built once per process.
    return select(IntakeHold).where(
        IntakeHold.intake_id == bindparam("intake_id"), IntakeHold.lifted_at.is_(None)
    )


def _review_date(value: date | str | None, today: date) -> date:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("missing")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not_a_date") from None
    if value <= today:
        raise ValueError("not_in_the_future")
    if value > today.replace(year=today.year + REVIEW_MAX_YEARS, day=min(today.day, 28)):
        raise ValueError("too_far")
    return value


def _check(
    session: Session, record: Case | Intake, reason: str | None, review_on, today: date
) -> tuple[str, date]:
    """Every problem at once: field -> code."""
    problems: dict[str, str] = {}
    if isinstance(record, Case):
        if record.erased_at is not None:
            problems["record"] = "erased"
        elif active_case_hold(session, record.id) is not None:
            problems["record"] = "already_held"
    else:
        in_case = session.scalar(
            select(CaseIntake.case_id).where(CaseIntake.intake_id == record.id)
        )
        if record.status == IntakeStatus.ERASED:
            problems["record"] = "erased"
        elif in_case is not None:
            # The file keeps its requests: one hold, on the file, says it all.
            problems["record"] = "in_case_file"
        elif active_intake_hold(session, record.id) is not None:
            problems["record"] = "already_held"
    problems.update(_field_problems(reason, review_on, today))
    if problems:
        raise RuleError(problems)
    return (reason or "").strip(), _review_date(review_on, today)


def _field_problems(reason: str | None, review_on, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    text = (reason or "").strip()
    if not text:
        problems["reason"] = "missing"
    elif len(text) > REASON_MAX:
        problems["reason"] = "too_long"
    try:
        _review_date(review_on, today)
    except ValueError as error:
        problems["review_on"] = str(error)
    return problems


def place(
    session: Session,
    record: Case | Intake,
    staff: Staff,
    *,
    reason: str | None,
    review_on: date | str | None,
    today: date,
) -> Hold:
    """Stop the purge of `record` until the hold is lifted. `today` is the
    centre's date: the review date must come after it."""
    text, review = _check(session, record, reason, review_on, today)
    hold: Hold
    if isinstance(record, Case):
        hold = CaseHold(case_id=record.id)
        target = "case"
    else:
        hold = IntakeHold(intake_id=record.id)
        target = "intake"
    hold.reason = text
    hold.review_on = review
    hold.placed_by_id = staff.id
    hold.placed_at = clock.now()
    session.add(hold)
    session.flush()
    audit.record(
        session,
        "retention.hold_placed",
        actor_id=staff.id,
        target_type=target,
        target_id=record.id,
        detail=f"hold {hold.id} review {review.isoformat()}",
    )
    return hold


def place_by_number(
    session: Session,
    centre_id: int,
    reference: str | None,
    staff: Staff,
    *,
    reason: str | None,
    review_on: date | str | None,
    today: date,
) -> tuple[Case | Intake, Hold]:
    """`place` on the record staff name by its number; a number that finds
    nothing is refused with the form's other problems, all at once."""
    try:
        record = find_record(session, centre_id, reference)
    except RuleError as refused:
        raise RuleError({**refused.problems, **_field_problems(reason, review_on, today)}) from None
    return record, place(session, record, staff, reason=reason, review_on=review_on, today=today)


def lift(session: Session, hold: Hold, staff: Staff) -> None:
    """End the hold: from now on the purge treats the record as any other."""
    if hold.lifted_at is not None:
        raise RuleError("hold", "lifted")
    hold.lifted_at = clock.now()
    hold.lifted_by_id = staff.id
    if isinstance(hold, CaseHold):
        target, target_id = "case", hold.case_id
    else:
        target, target_id = "intake", hold.intake_id
    audit.record(
        session,
        "retention.hold_lifted",
        actor_id=staff.id,
        target_type=target,
        target_id=target_id,
        detail=f"hold {hold.id}",
    )


def hold_of_centre(session: Session, centre_id: int, kind: str, hold_id: int) -> Hold | None:
    """A hold by its kind and id, if its record belongs to this centre."""
    if kind == CASE_FILE:
        case_hold = session.get(CaseHold, hold_id)
        if case_hold is None:
            return None
        case = session.get(Case, case_hold.case_id)
        return case_hold if case is not None and case.centre_id == centre_id else None
    if kind == REQUEST:
        intake_hold = session.get(IntakeHold, hold_id)
        if intake_hold is None:
            return None
        intake = session.get(Intake, intake_hold.intake_id)
        return intake_hold if intake is not None and intake.centre_id == centre_id else None
    return None


@dataclass(frozen=True)
class HoldLine:
    """A hold in force as the retention page lists it: ids, number, dates."""

    kind: str  # CASE_FILE or REQUEST
    hold_id: int
    record_id: int
    number: str | None
    review_on: date
    placed_at: datetime
    placed_by_id: int | None

    def review_due(self, today: date) -> bool:
        return self.review_on <= today


def holds_in_force(session: Session, centre_id: int) -> list[HoldLine]:
    """The centre's holds still in force, the first review date first."""
    lines = [
        HoldLine(
            CASE_FILE, hold.id, case_id, number, hold.review_on, hold.placed_at, hold.placed_by_id
        )
        for hold, case_id, number in session.execute(
            select(CaseHold, Case.id, Case.number)
            .join(Case, Case.id == CaseHold.case_id)
            .where(Case.centre_id == centre_id, CaseHold.lifted_at.is_(None))
        )
    ]
    lines += [
        HoldLine(
            REQUEST, hold.id, intake_id, None, hold.review_on, hold.placed_at, hold.placed_by_id
        )
        for hold, intake_id in session.execute(
            select(IntakeHold, Intake.id)
            .join(Intake, Intake.id == IntakeHold.intake_id)
            .where(Intake.centre_id == centre_id, IntakeHold.lifted_at.is_(None))
        )
    ]
    return sorted(lines, key=lambda line: (line.review_on, line.kind, line.hold_id))
