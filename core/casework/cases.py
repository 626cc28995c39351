"""Joint case files: opened from requests so nobody asks the story again, seen
only by the people who work on them, with a timeline of what happened."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.governance import audit
from core.infra import clock
from core.intake.triage import linked_ids, set_status
from core.model import (
    Case,
    CaseEvent,
    CaseIntake,
    CaseMember,
    CasePerson,
    CaseStatus,
    Intake,
    IntakeStatus,
    Role,
    Staff,
    TriageOutcome,
)
from core.network.centres import is_member
from core.rules import WHOLE, RuleError

CASE_TRACKS = (TriageOutcome.TRACK_2, TriageOutcome.TRACK_3)
CLOSURE_REASONS = ("goals_reached", "client_stopped", "moved", "referred", "other")
PERSON_ROLES = ("victim", "child", "other_adult", "person_causing_harm")


def can_view(staff: Staff, case: Case, session: Session) -> bool:
    """Coordinators see every file of their centres; a case director only the
    files they direct or are invited into; admins none (accounts, not content)."""
    if not is_member(session, staff, case.centre_id):
        # Another centre's file: whoever asks (an action's owner, a link).
        return False
    if staff.role == Role.COORDINATOR:
        return True
    if staff.role != Role.CASE_DIRECTOR:
        return False
    if case.director_id == staff.id:
        return True
    return (
        session.scalar(
            select(CaseMember.id).where(
                CaseMember.case_id == case.id, CaseMember.staff_id == staff.id
            )
        )
        is not None
    )


def visible_query(staff: Staff) -> Select | None:
    """The case files `staff` may open, as a query (None: not one)."""
    query = select(Case)
    if staff.role == Role.CASE_DIRECTOR:
        invited = select(CaseMember.case_id).where(CaseMember.staff_id == staff.id)
        return query.where((Case.director_id == staff.id) | Case.id.in_(invited))
    if staff.role == Role.COORDINATOR:
        return query
    return None


def visible_cases(session: Session, staff: Staff) -> list[Case]:
    query = visible_query(staff)
    if query is None:
        return []
    return list(session.scalars(query.order_by(Case.status.desc(), Case.opened_at.desc())))


CASE_PAGE_SIZE = 50


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    total: int
    page: int

    @property
    def has_next(self) -> bool:
        return self.page * CASE_PAGE_SIZE < self.total


def case_page(
    session: Session, staff: Staff, *, centre_id: int, status: str | None, page: int
) -> CasePage:
    """One page of one centre's list, open files first and newest first: a
    centre holds thousands of files, so the list is never loaded whole."""
    query = visible_query(staff)
    if query is None:
        return CasePage([], 0, 1)
    query = query.where(Case.centre_id == centre_id)
    if status in (CaseStatus.OPEN, CaseStatus.CLOSED):
        query = query.where(Case.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, min(page, (total + CASE_PAGE_SIZE - 1) // CASE_PAGE_SIZE or 1))
    rows = session.scalars(
        query.order_by(Case.status.desc(), Case.opened_at.desc(), Case.id.desc())
        .limit(CASE_PAGE_SIZE)
        .offset((page - 1) * CASE_PAGE_SIZE)
    )
    return CasePage(list(rows), total, page)


def case_of(session: Session, intake: Intake) -> Case | None:
    return session.scalar(select(Case).join(CaseIntake).where(CaseIntake.intake_id == intake.id))


def can_view_intake(staff: Staff, intake: Intake, session: Session) -> bool:
    """A request that belongs to a case file is the file's: only those who may
    open the file may open the request (its story, contact details, mailbox).
    A request without a file is the triage team's, as the role says."""
    return can_view_request_in(staff, case_of(session, intake), session)


def can_view_request_in(staff: Staff, case: Case | None, session: Session) -> bool:
    """can_view_intake for a request whose case file (or None) is already
    loaded: the request page reads both in one statement."""
    return case is None or can_view(staff, case, session)


def hidden_intakes(staff: Staff) -> Select | None:
    """The ids of requests in case files `staff` may not open: every list of
    requests leaves them out. None for a coordinator, who may open every file
    (the queue then needs no extra condition)."""
    if staff.role == Role.COORDINATOR:
        return None
    visible = visible_query(staff)
    in_cases = select(CaseIntake.intake_id)
    if visible is None:
        return in_cases
    return in_cases.where(CaseIntake.case_id.not_in(visible.with_only_columns(Case.id)))


def record(
    session: Session,
    case: Case,
    staff: Staff | None,
    action: str,
    detail: str | None = None,
    *,
    audit_detail: str | None = None,
) -> None:
    """Record a change to a case file, once, in the caller's transaction: the
    event on the file's timeline (`detail` in words staff read, translated by the
    back office) and the row in the audit trail (`audit_detail`: ids and codes
    only). Every change to a case file goes through here, so neither can be
    forgotten."""
    session.add(
        CaseEvent(
            case=case,
            staff_id=staff.id if staff else None,
            action=action,
            detail=detail,
            created_at=clock.now(),
        )
    )
    if case.id is None:
        session.flush()
    audit.record(
        session,
        action,
        actor_id=staff.id if staff else None,
        target_type="case",
        target_id=case.id,
        detail=audit_detail,
    )


def open_case(
    session: Session,
    intakes: list[Intake],
    staff: Staff,
    *,
    track: TriageOutcome,
    director: Staff | None = None,
) -> Case:
    """Open one case from one or more requests of the same family. The first
    request's person becomes the victim in the file, with their contact
    details; their safe-contact choices, stories and messages stay readable
    from the linked requests on the case page, so nothing is asked again."""
    if track not in CASE_TRACKS:
        raise RuleError("track", "not_a_case_track")
    if not intakes:
        raise RuleError("intakes", "missing")
    for intake in intakes:
        if intake.status == IntakeStatus.ERASED:
            raise RuleError("intakes", "erased")
        if case_of(session, intake) is not None:
            raise RuleError("intakes", "in_a_case")
    now = clock.now()
    first = intakes[0]
    case = Case(
        centre_id=first.centre_id,
        track=track,
        status=CaseStatus.OPEN,
        director_id=(director or staff).id,
        opened_at=now,
        year=now.year,
    )
    case.people.append(
        CasePerson(
            role="victim",
            name=first.name,
            phone=first.phone,
            email=first.email,
            # Her rules for being reached stay on the request: one record.
            contact_intake_id=first.id,
        )
    )
    _number(session, case)
    for intake in intakes:
        session.add(CaseIntake(case_id=case.id, intake_id=intake.id))
        if intake.outcome is None:
            intake.outcome = track
            intake.decided_at = now
        if intake.status != IntakeStatus.CLOSED:
            set_status(session, intake, IntakeStatus.CLOSED, staff)
            intake.closed_at = now
    # Request numbers only: they read the same in every language.
    record(
        session,
        case,
        staff,
        "case.opened",
        ", ".join(f"#{i.id}" for i in intakes),
        audit_detail=f"from intake {intakes[0].id}",
    )
    session.flush()
    return case


def _number(session: Session, case: Case) -> None:
    """The next number of the year. Two files opened at once cannot share one:
    the unique constraint refuses the second, which then takes the next.

    The number is unique in the whole installation (cases.number is UNIQUE
    since 0005), so the year's sequence runs over every centre of the
    network: counted per centre, Leuven's first file would take Mechelen's
    "2026-0001" and never get a number. Dropping that constraint would
    rebuild `cases` on SQLite, which every file's rows point at."""
    for _attempt in range(5):
        last = session.scalar(select(func.max(Case.sequence)).where(Case.year == case.year))
        case.sequence = (last or 0) + 1
        case.number = f"{case.year}-{case.sequence:04d}"
        savepoint = session.begin_nested()
        try:
            session.add(case)
            session.flush()
        except IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        return
    raise RuleError(WHOLE, "no_number")  # another worker kept taking the next number


def intakes_to_open_with(session: Session, intake: Intake) -> list[Intake]:
    """The request and the ones staff linked to it that are not in a case yet."""
    others = [session.get(Intake, other_id) for other_id in sorted(linked_ids(session, intake))]
    return [intake] + [
        other
        for other in others
        if other is not None
        and other.status != IntakeStatus.ERASED
        and case_of(session, other) is None
    ]


def add_member(session: Session, case: Case, member: Staff, by: Staff) -> None:
    if member.role != Role.CASE_DIRECTOR or not member.is_active:
        raise RuleError("staff_id", "not_a_case_director")
    if not is_member(session, member, case.centre_id):
        # A case director of another centre is not one of this file's team.
        raise RuleError("staff_id", "not_a_case_director")
    exists = session.scalar(
        select(CaseMember.id).where(CaseMember.case_id == case.id, CaseMember.staff_id == member.id)
    )
    if exists or member.id == case.director_id:
        return
    session.add(
        CaseMember(case_id=case.id, staff_id=member.id, added_by_id=by.id, added_at=clock.now())
    )
    record(session, case, by, "case.member_added", member.name, audit_detail=f"staff {member.id}")
    session.flush()


def close(session: Session, case: Case, staff: Staff, reason: str, note: str | None) -> None:
    if case.status != CaseStatus.OPEN:
        raise RuleError("case", "closed")
    if reason not in CLOSURE_REASONS:
        raise RuleError("reason", "missing")
    case.status = CaseStatus.CLOSED
    case.closed_at = clock.now()
    case.closure_reason = reason
    case.closure_note = (note or "").strip() or None
    record(session, case, staff, "case.closed", reason, audit_detail=reason)
    session.flush()


def reopen(session: Session, case: Case, staff: Staff) -> None:
    """Survivors may come back after the crisis: the same file opens again."""
    if case.status != CaseStatus.CLOSED:
        raise RuleError("case", "open")
    if case.erased_at is not None:
        raise RuleError("case", "erased")
    case.status = CaseStatus.OPEN
    case.closed_at = None
    case.closure_reason = None
    case.closure_note = None
    record(session, case, staff, "case.reopened")
    session.flush()
