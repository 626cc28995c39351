"""What a reader of a case file sees of it, part by part: the people and how
they are related, the requests they came from and what the children said
(the story), the risk assessments, the safety plans (a child's own too), the
actions and the case consultations. The staff print and the
partner face both read a file through `content`, with the parts the reader
may see (core.casework.partners.may_see), so a partner never gets more than a
print for that partner would show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.casework import child_voice, partners, risk
from core.casework import people as people_rules
from core.governance.rights import restriction
from core.identity.staff import names_of
from core.model import (
    Case,
    CaseAction,
    CaseConsultation,
    CaseIntake,
    CasePerson,
    CaseRelation,
    ChildVoice,
    Intake,
    RiskAssessment,
    SafetyPlan,
)
from web.casefile.centre import centre_today
from web.casefile.labels import SAFETY_PLAN_SECTION_LABELS

# "person is <kind> of other"; the other person reads it the other way round.
INVERSE_RELATION = {"parent": "child", "child": "parent"}


# Earlier risk assessments printed under the latest one.
RISK_HISTORY_ROWS = 5


@dataclass
class PrintedPerson:
    person: CasePerson
    age: int | None
    relations: list[tuple[str, CasePerson]] = field(default_factory=list)


def reader_language() -> str:
    return str(get_locale() or "en").split("_")[0]


@dataclass(frozen=True)
class RiskNotes:
    """What staff read next to an assessment's level."""

    red_flags: list[str]  # "Red flag: <item text>", one per red flag answered yes
    incomplete: str | None  # "<n> of <total> not known: incomplete", or None


def risk_notes(assessments: Iterable[RiskAssessment]) -> dict[int, RiskNotes]:
    """The notes of each assessment, by id, in the reader's language."""
    language = reader_language()
    available = risk.instruments()
    notes: dict[int, RiskNotes] = {}
    for assessment in assessments:
        summary = risk.summary_of(assessment, available)
        used = available.get(f"{assessment.instrument_id}:{assessment.instrument_version}")
        items = [used.item(code) for code in summary.red_flags_hit] if used else []
        notes[assessment.id] = RiskNotes(
            red_flags=[
                _("Red flag: %(item)s", item=item.text_in(language)) for item in items if item
            ],
            incomplete=ngettext(
                "%(num)d of %(total)d not known: incomplete",
                "%(num)d of %(total)d not known: incomplete",
                summary.unknown_count,
                total=summary.item_count,
            )
            if summary.incomplete
            else None,
        )
    return notes


def gather(session: Session, found: Case, visible: set[str], *, for_partner: bool = False) -> dict:
    """What the print shows, one query per kind of row (never one per person).
    `for_partner`: a partner reads it, so a restricted person or request
    (GDPR art. 18: stored, not used) is left out, with all that is theirs."""
    people = list(
        session.scalars(
            select(CasePerson)
            .where(CasePerson.case_id == found.id)
            .order_by(CasePerson.id)
            # Her rules are her request's: read with the people, not one by one.
            .options(selectinload(CasePerson.contact_intake).selectinload(Intake.referral))
        )
    )
    left_out = restriction.restricted_in(session, found) if for_partner else None
    if left_out is not None:
        people = [p for p in people if p.id not in left_out.person_ids]
    staff_ids = {found.director_id}
    content: dict = {
        "people": _people(session, found, people),
        "intakes": [
            intake
            for intake in _intakes(session, found, visible)
            if left_out is None or intake.id not in left_out.intake_ids
        ],
        "voices": [],
        "assessments": [],
        "plans": [],
        "actions": [],
        "consultations": [],
        "owner_partners": {},
    }
    if "story" in visible:
        # What a child told us is part of what people told us: the story.
        content["voices"] = _voices(session, found, people)
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
    """The requests the file came from, with their stories and messages: the
    story part. (Her safe-contact choices come with her person, through
    CasePerson.contact_intake, for whoever may see the contact details.)"""
    if "story" not in visible:
        return []
    return list(
        session.scalars(
            select(Intake)
            .join(CaseIntake, CaseIntake.intake_id == Intake.id)
            .where(CaseIntake.case_id == found.id)
            .order_by(Intake.created_at, Intake.id)
            .options(selectinload(Intake.messages))
        )
    )


def _voices(
    session: Session, found: Case, people: list[CasePerson]
) -> list[tuple[CasePerson, list[ChildVoice]]]:
    """Each child's voices, newest first, in the order of the people."""
    voices = child_voice.voices_of(session, found)
    return [(person, voices[person.id]) for person in people if voices.get(person.id)]


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
