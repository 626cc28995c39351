"""The print view of a case file, for a case consultation: on paper, with only
what the reader may see. Staff who may open the file see all of it; a print
for a partner (`?partner=<id>`) shows what `core.casework.partners.may_see` allows now,
and says which parts are left out. Every print is audited and on the timeline."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import (
    abort,
    g,
    render_template,
    request,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.centre import centre_today
from backoffice.labels import (
    ACTION_STATUS_LABELS,
    CONSULTATION_BASIS_LABELS,
    PARTNER_PART_LABELS,
    RELATION_KIND_LABELS,
    SAFETY_PLAN_SECTION_LABELS,
)
from backoffice.records import case_or_404, partner_or_404
from backoffice.views.risk import risk_notes
from core.casework import cases, partners, risk
from core.casework import people as people_rules
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.infra import clock
from core.infra.ids import parse_id
from core.model import (
    Case,
    CaseAction,
    CaseConsultation,
    CaseIntake,
    CasePartner,
    CasePerson,
    CaseRelation,
    Intake,
    SafetyPlan,
)
from web.db import db

# "person is <kind> of other"; the other person reads it the other way round.
INVERSE_RELATION = {"parent": "child", "child": "parent"}


# Earlier risk assessments printed under the latest one.
RISK_HISTORY_ROWS = 5


@dataclass
class PrintedPerson:
    person: CasePerson
    age: int | None
    relations: list[tuple[str, CasePerson]] = field(default_factory=list)


@bp.get("/cases/<int:case_id>/print")
@requires(Permission.CASES)
def case_print(case_id: int):
    found = case_or_404(case_id)
    partner = _partner_asked(found)
    now = clock.now()
    withdrawn = (
        partner is not None
        and partner.consent_withdrawn_at is not None
        and now >= partner.consent_withdrawn_at
    )
    visible = set(partners.PARTS) if partner is None else partners.may_see(partner, now)
    _record_print(found, partner)
    content = {} if withdrawn else _content(db.session, found, visible)
    return render_template(
        "backoffice/case_print.html",
        case=found,
        partner=partner,
        withdrawn=withdrawn,
        visible=visible,
        shown=[part for part in partners.PARTS if part in visible],
        left_out=[part for part in partners.PARTS if part not in visible],
        printed_at=now,
        part_labels=PARTNER_PART_LABELS,
        relation_labels=RELATION_KIND_LABELS,
        action_status_labels=ACTION_STATUS_LABELS,
        consultation_basis_labels=CONSULTATION_BASIS_LABELS,
        **content,
    )


def _partner_asked(found: Case) -> CasePartner | None:
    """The partner the print is for, from `?partner=<id>`; None for the team."""
    value = request.args.get("partner")
    if value is None:
        return None
    partner_id = parse_id(value)
    if partner_id is None:
        abort(404)
    return partner_or_404(found, partner_id)


def _record_print(found: Case, partner: CasePartner | None) -> None:
    """Audit trail and timeline, in a write transaction of its own (this is a GET).
    On the timeline a print without a partner is the team's; one for a partner
    says which kind (the audit trail keeps its id)."""
    with db.writing() as session:
        cases.record(
            session,
            session.get(Case, found.id),
            g.staff,
            "case.printed",
            None if partner is None else partner.kind,
            audit_detail="staff" if partner is None else f"partner {partner.id}",
        )


def _content(session: Session, found: Case, visible: set[str]) -> dict:
    """What the print shows, one query per kind of row (never one per person)."""
    people = list(
        session.scalars(
            select(CasePerson)
            .where(CasePerson.case_id == found.id)
            .order_by(CasePerson.id)
            # Her rules are her request's: read with the people, not one by one.
            .options(selectinload(CasePerson.contact_intake).selectinload(Intake.referral))
        )
    )
    staff_ids = {found.director_id}
    content: dict = {
        "people": _people(session, found, people),
        "intakes": _intakes(session, found, visible),
        "assessments": [],
        "plans": [],
        "actions": [],
        "consultations": [],
        "owner_partners": {},
    }
    if "risk_assessment" in visible:
        content["assessments"] = risk.history(session, found)[: RISK_HISTORY_ROWS + 1]
        content["risk_notes"] = risk_notes(content["assessments"])
        staff_ids |= {a.staff_id for a in content["assessments"]}
    if "safety_plan" in visible:
        content["plans"] = _current_plans(session, found, people)
    if "action_plan" in visible:
        content["actions"] = list(
            session.scalars(
                select(CaseAction)
                .where(CaseAction.case_id == found.id)
                .order_by(CaseAction.due_on.is_(None), CaseAction.due_on, CaseAction.id)
            )
        )
        content["consultations"] = list(
            session.scalars(
                select(CaseConsultation)
                .where(CaseConsultation.case_id == found.id)
                .order_by(CaseConsultation.held_on.desc(), CaseConsultation.id.desc())
            )
        )
        staff_ids |= {a.owner_staff_id for a in content["actions"]}
        if any(a.owner_partner_id for a in content["actions"]):
            content["owner_partners"] = {p.id: p for p in partners.partners_of(session, found)}
    content["staff_names"] = names_of(session, staff_ids)
    return content


def _people(session: Session, found: Case, people: list[CasePerson]) -> list[PrintedPerson]:
    this_year = centre_today().year
    printed = {
        p.id: PrintedPerson(
            p,
            people_rules.age(p.birth_year, this_year) if p.role == "child" else None,
        )
        for p in people
    }
    relations = session.scalars(
        select(CaseRelation).where(CaseRelation.case_id == found.id).order_by(CaseRelation.id)
    )
    for relation in relations:
        one, other = printed.get(relation.person_id), printed.get(relation.other_person_id)
        if one is None or other is None:
            continue
        one.relations.append((relation.kind, other.person))
        other.relations.append((INVERSE_RELATION.get(relation.kind, relation.kind), one.person))
    return list(printed.values())


def _intakes(session: Session, found: Case, visible: set[str]) -> list[Intake]:
    """The requests the file came from: their safe-contact choices belong to the
    contact details, their stories and messages to the story."""
    if not visible & {"contact_details", "story"}:
        return []
    query = (
        select(Intake)
        .join(CaseIntake, CaseIntake.intake_id == Intake.id)
        .where(CaseIntake.case_id == found.id)
        .order_by(Intake.created_at, Intake.id)
    )
    if "story" in visible:
        query = query.options(selectinload(Intake.messages))
    return list(session.scalars(query))


def _current_plans(
    session: Session, found: Case, people: list[CasePerson]
) -> list[tuple[CasePerson, SafetyPlan, list[tuple[str, str]]]]:
    """Each person's newest plan version, with its sections in a steady order."""
    versions = session.scalars(
        select(SafetyPlan)
        .where(SafetyPlan.case_id == found.id)
        .order_by(SafetyPlan.person_id, SafetyPlan.created_at.desc(), SafetyPlan.id.desc())
    )
    newest: dict[int, SafetyPlan] = {}
    for plan in versions:
        newest.setdefault(plan.person_id, plan)
    return [
        (person, newest[person.id], _sections(newest[person.id].content or {}))
        for person in people
        if person.id in newest
    ]


def _sections(content: dict) -> list[tuple[str, str]]:
    known = [code for code in SAFETY_PLAN_SECTION_LABELS if content.get(code)]
    unknown = sorted(code for code in content if code not in SAFETY_PLAN_SECTION_LABELS)
    return [
        (SAFETY_PLAN_SECTION_LABELS.get(code, code), content[code])
        for code in known + unknown
        if content[code]
    ]
