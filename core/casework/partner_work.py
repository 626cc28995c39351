"""What a partner member does in a case file they may open: report on the
actions their organisation owns, leave a note for the case director, and
answer a planned case consultation (attending or not, and a contribution).
And what the team does for that: plan a consultation.

Every change goes through cases.record, so it is on the timeline (the case
director reads it there) and in the audit trail, with the member as actor.
A refusal is a RuleError naming every problem at once (field -> code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.casework import actions
from core.casework.cases import record
from core.casework.consultations import LEGAL_BASES
from core.casework.partner_access import Access
from core.infra import clock
from core.model import (
    Case,
    CaseAction,
    CaseEvent,
    CaseStatus,
    ConsultationContribution,
    PlannedConsultation,
    Staff,
)
from core.rules import RuleError

REPORT_MAX = 2000
NOTE_MAX = 2000
CONTRIBUTION_MAX = 4000
NOTE = "partner.note"
REPORTED = "partner.action_reported"


def _text(value: str | None) -> str:
    return (value or "").strip()


def _ensure_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise RuleError({"case": "case_closed"})


# --- Actions ------------------------------------------------------------------


def owned_actions(session: Session, access: Access) -> list[CaseAction]:
    """The actions of this file that the member's organisation owns, by due date."""
    if not access.partner_ids:
        return []
    return list(
        session.scalars(
            select(CaseAction)
            .where(
                CaseAction.case_id == access.case.id,
                CaseAction.owner_partner_id.in_(access.partner_ids),
            )
            .order_by(CaseAction.due_on.is_(None), CaseAction.due_on, CaseAction.id)
        )
    )


def report_on_action(
    session: Session,
    access: Access,
    member: Staff,
    action: CaseAction,
    *,
    status: str,
    report: str | None,
    zone: tzinfo,
) -> None:
    """Set the status of an action the member's organisation owns, with a short
    report (optional) that replaces the previous one."""
    _ensure_open(access.case)
    if not access.owns(action):
        raise RuleError({"action": "not_yours"})
    text = _text(report)
    problems = {}
    if status not in actions.STATUSES:
        problems["status"] = "status_unknown"
    if len(text) > REPORT_MAX:
        problems["report"] = "too_long"
    if problems:
        raise RuleError(problems)
    if status != action.status:
        actions.update_action(session, access.case, action, member, status=status, zone=zone)
    if text and text != (action.report or ""):
        action.report = text
        action.reported_by_id = member.id
        action.reported_at = clock.now()
        # The report itself is on the timeline: the case director reads it there.
        record(session, access.case, member, REPORTED, text, audit_detail=f"action {action.id}")
    session.flush()


# --- Notes for the case director ----------------------------------------------


def add_note(session: Session, access: Access, member: Staff, note: str | None) -> None:
    _ensure_open(access.case)
    text = _text(note)
    if not text:
        raise RuleError({"note": "missing"})
    if len(text) > NOTE_MAX:
        raise RuleError({"note": "too_long"})
    record(session, access.case, member, NOTE, text, audit_detail="note")


def own_notes(session: Session, access: Access, member: Staff) -> list[CaseEvent]:
    """The member's own notes on this file, newest first: never another
    partner's (each partner reads only what it wrote)."""
    return list(
        session.scalars(
            select(CaseEvent)
            .where(
                CaseEvent.case_id == access.case.id,
                CaseEvent.action == NOTE,
                CaseEvent.staff_id == member.id,
            )
            .order_by(CaseEvent.id.desc())
        )
    )


# --- Planned case consultations -------------------------------------------------


def plan_consultation(
    session: Session,
    case: Case,
    staff: Staff,
    *,
    planned_on: date | str | None,
    legal_basis: str,
    today: date,
) -> PlannedConsultation:
    """The team plans a consultation, today or later; the partners on the file
    who may see its action plan are asked to answer it."""
    _ensure_open(case)
    problems = {}
    try:
        day = actions.parse_day(planned_on)
    except ValueError:
        day = None
        problems["planned_on"] = "planned_on_invalid"
    else:
        if day is None:
            problems["planned_on"] = "planned_on_missing"
        elif day < today:
            problems["planned_on"] = "planned_on_past"
    if legal_basis not in LEGAL_BASES:
        problems["legal_basis"] = "legal_basis_missing"
    if problems or day is None:
        raise RuleError(problems)
    planned = PlannedConsultation(
        case_id=case.id,
        planned_on=day,
        legal_basis=legal_basis,
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    session.add(planned)
    session.flush()
    record(
        session,
        case,
        staff,
        "case.consultation_planned",
        legal_basis,
        audit_detail=f"planned {planned.id} {legal_basis}",
    )
    return planned


@dataclass(frozen=True)
class PlannedView:
    planned: PlannedConsultation
    contributions: list[ConsultationContribution]


def planned_of(session: Session, case: Case, today: date) -> list[PlannedView]:
    """Consultations planned for today or later, soonest first, with every answer."""
    planned = list(
        session.scalars(
            select(PlannedConsultation)
            .where(PlannedConsultation.case_id == case.id, PlannedConsultation.planned_on >= today)
            .order_by(PlannedConsultation.planned_on, PlannedConsultation.id)
        )
    )
    answers: dict[int, list[ConsultationContribution]] = {}
    if planned:
        for answer in session.scalars(
            select(ConsultationContribution)
            .where(ConsultationContribution.planned_id.in_([p.id for p in planned]))
            .order_by(ConsultationContribution.id)
        ):
            answers.setdefault(answer.planned_id, []).append(answer)
    return [PlannedView(p, answers.get(p.id, [])) for p in planned]


def contribute(
    session: Session,
    access: Access,
    member: Staff,
    planned: PlannedConsultation,
    *,
    attending: bool | None,
    contribution: str | None,
    today: date,
) -> None:
    """The member's answer to a planned consultation; a second answer replaces
    the first. Only for members who may see the file's action plan."""
    _ensure_open(access.case)
    if planned.case_id != access.case.id or "action_plan" not in access.parts:
        raise RuleError({"planned": "not_yours"})
    if planned.planned_on < today:
        raise RuleError({"planned": "held"})
    text = _text(contribution)
    problems = {}
    if attending is None:
        problems["attending"] = "missing"
    if len(text) > CONTRIBUTION_MAX:
        problems["contribution"] = "too_long"
    if problems:
        raise RuleError(problems)
    answer = session.scalar(
        select(ConsultationContribution).where(
            ConsultationContribution.planned_id == planned.id,
            ConsultationContribution.staff_id == member.id,
        )
    )
    if answer is None:
        savepoint = session.begin_nested()
        try:
            answer = ConsultationContribution(
                planned_id=planned.id,
                case_partner_id=min(access.partner_ids),
                staff_id=member.id,
                attending=bool(attending),
                updated_at=clock.now(),
            )
            session.add(answer)
            session.flush()
        except IntegrityError:
            # The same answer sent twice at once: the second one updates it.
            savepoint.rollback()
            answer = session.scalars(
                select(ConsultationContribution).where(
                    ConsultationContribution.planned_id == planned.id,
                    ConsultationContribution.staff_id == member.id,
                )
            ).one()
        else:
            savepoint.commit()
    answer.attending = bool(attending)
    answer.contribution = text or None
    answer.updated_at = clock.now()
    session.flush()
    record(
        session,
        access.case,
        member,
        "partner.consultation_answered",
        "attending" if attending else "not_attending",
        audit_detail=f"planned {planned.id}",
    )
