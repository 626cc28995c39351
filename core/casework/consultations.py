"""Case consultations ("casusoverleg"): when the partners met, who took part
for which organisation, on what legal basis, and what they decided. A decision
with an owner becomes an action in the plan, linked to its consultation.

A refusal is a RuleError naming every problem at once; the fields of a row are
numbered from 1 as people count them ("participant-2", "decision-3-owner")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.casework import actions
from core.casework.cases import record
from core.infra import clock
from core.model import Case, CaseAction, CaseConsultation, CaseStatus, Staff
from core.rules import RuleError

# art_458ter: a case consultation under art. 458ter Sw. (organised by law or
# with the prosecutor's reasoned consent); consent: with the client's consent.
LEGAL_BASES = ("art_458ter", "consent")
MIN_PARTICIPANTS = 2
TEXT_MAX = 500
NOTES_MAX = 4000


@dataclass
class Decision:
    """One row of the form: the decision and, optionally, who does it by when."""

    text: str = ""
    owner: str = ""
    due_on: date | str | None = None


@dataclass
class DecisionRow:
    """A decision on the page, with the action made from it (if any)."""

    text: str
    action: CaseAction | None = None


@dataclass
class ConsultationView:
    consultation: CaseConsultation
    decisions: list[DecisionRow] = field(default_factory=list)


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _participants(rows: list[dict], problems: dict[str, str]) -> list[dict]:
    """Rows with both fields; blank rows are skipped, half-filled ones refused."""
    kept, refused = [], False
    for number, row in enumerate(rows, start=1):
        name, organisation = _clean(row.get("name")), _clean(row.get("organisation"))
        if not name and not organisation:
            continue
        if not name or not organisation:
            problems[f"participant-{number}"] = "participant_incomplete"
            refused = True
        elif len(name) > TEXT_MAX or len(organisation) > TEXT_MAX:
            problems[f"participant-{number}"] = "participant_too_long"
            refused = True
        else:
            kept.append({"name": name, "organisation": organisation})
    # A half-filled row already says what is wrong; "too few" would only add noise.
    if len(kept) < MIN_PARTICIPANTS and not refused:
        problems["participants"] = "participants_too_few"
    return kept


def _decisions(
    session: Session, case: Case, rows: list[Decision], zone: tzinfo, problems: dict[str, str]
) -> list[tuple[str, Decision]]:
    """The decisions with text, each checked as an action would be when it has
    an owner. An owner or a date without a decision is refused, not dropped."""
    kept = []
    for number, row in enumerate(rows, start=1):
        text, owner = _clean(row.text), _clean(row.owner)
        due = row.due_on.strip() if isinstance(row.due_on, str) else row.due_on
        prefix = f"decision-{number}"
        if not text:
            if owner or due:
                problems[f"{prefix}-text"] = "decision_missing"
            continue
        if len(text) > actions.TITLE_MAX:
            problems[f"{prefix}-text"] = "decision_too_long"
        if due and not owner:
            problems[f"{prefix}-owner"] = "decision_due_without_owner"
        if owner:
            try:
                actions.resolve_owner(session, case, owner)
            except RuleError as error:
                problems[f"{prefix}-owner"] = error.problems["owner"]
        try:
            actions.check_due(case, due, zone)
        except RuleError as error:
            problems[f"{prefix}-due"] = error.problems["due_on"]
        kept.append((text, Decision(text=text, owner=owner, due_on=due)))
    return kept


def _held_on(value: date | str | None, today: date, problems: dict[str, str]) -> date | None:
    try:
        day = actions.parse_day(value)
    except ValueError:
        problems["held_on"] = "held_on_invalid"
        return None
    if day is None:
        problems["held_on"] = "held_on_missing"
    elif day > today:
        problems["held_on"] = "held_on_future"
    return day


def record_consultation(
    session: Session,
    case: Case,
    staff: Staff,
    *,
    held_on: date | str | None,
    legal_basis: str,
    participants: list[dict],
    decisions: list[Decision],
    notes: str | None,
    today: date,
    zone: tzinfo,
) -> tuple[CaseConsultation, list[CaseAction]]:
    """Record a consultation and turn each decision with an owner into an
    action. All or nothing: any problem refuses the whole form."""
    if case.status != CaseStatus.OPEN:
        raise RuleError({"case": "case_closed"})
    problems: dict[str, str] = {}
    day = _held_on(held_on, today, problems)
    if legal_basis not in LEGAL_BASES:
        problems["legal_basis"] = "legal_basis_missing"
    people = _participants(participants, problems)
    taken = _decisions(session, case, decisions, zone, problems)
    clean_notes = _clean(notes) or None
    if clean_notes and len(clean_notes) > NOTES_MAX:
        problems["notes"] = "notes_too_long"
    if problems:
        raise RuleError(problems)
    consultation = CaseConsultation(
        case_id=case.id,
        held_on=day,
        legal_basis=legal_basis,
        participants=people,
        decisions=[text for text, _ in taken],
        notes=clean_notes,
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    session.add(consultation)
    session.flush()
    created = [
        actions.add_action(
            session,
            case,
            staff,
            title=decision.text,
            owner=decision.owner,
            due_on=decision.due_on,
            zone=zone,
            consultation_id=consultation.id,
            log=False,
        )
        for _, decision in taken
        if decision.owner
    ]
    # Counts and the basis code only: names and decisions stay in the row.
    record(
        session,
        case,
        staff,
        "case.consultation_recorded",
        f"{legal_basis}, {len(people)} participants, {len(taken)} decisions, "
        f"{len(created)} actions",
        audit_detail=f"consultation {consultation.id} {legal_basis} actions "
        + (",".join(str(a.id) for a in created) or "none"),
    )
    return consultation, created


def consultations_of(session: Session, case: Case) -> list[ConsultationView]:
    """Newest first; each decision with the action made from it. Actions are
    matched to decisions in order by their text (the model keeps no index)."""
    consultations = session.scalars(
        select(CaseConsultation)
        .where(CaseConsultation.case_id == case.id)
        .order_by(CaseConsultation.held_on.desc(), CaseConsultation.id.desc())
    ).all()
    linked: dict[int, list[CaseAction]] = {}
    for action in session.scalars(
        select(CaseAction)
        .where(CaseAction.case_id == case.id, CaseAction.consultation_id.is_not(None))
        .order_by(CaseAction.id)
    ):
        if action.consultation_id is not None:  # always, by the query; for the type checker
            linked.setdefault(action.consultation_id, []).append(action)
    return [_with_actions(c, linked.get(c.id, [])) for c in consultations]


def _with_actions(consultation: CaseConsultation, made: list[CaseAction]) -> ConsultationView:
    remaining = list(made)
    rows = []
    for text in consultation.decisions or []:
        match = next((a for a in remaining if a.title == text), None)
        if match is not None:
            remaining.remove(match)
        rows.append(DecisionRow(text=text, action=match))
    return ConsultationView(consultation=consultation, decisions=rows)
