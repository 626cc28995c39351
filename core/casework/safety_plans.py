"""A safety plan per person: what they do when danger rises, where they go,
who helps. Every save adds a version, so the file shows how the plan grew;
the newest version is the plan. Saving the same plan again adds nothing.

A child has a plan of their own, with fewer parts in the child's own terms
(who I call, where I go, my code word, my trusted adult): a child does not
keep documents ready or arrange the children's school."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.casework.cases import record
from core.casework.people import TEXT_MAX, clean
from core.infra import clock
from core.model import Case, CasePerson, SafetyPlan, Staff
from core.rules import RuleError

# The parts of a plan, in the order staff go through them with the person.
SECTIONS = (
    "warning_signs",
    "safe_places",
    "safe_people",
    "emergency",
    "keep_ready",
    "children",
    "staying_in_touch",
)
# A child's own plan, in the order staff go through it with the child.
CHILD_SECTIONS = ("who_i_call", "where_i_go", "code_word", "trusted_adult")
ALL_SECTIONS = (*SECTIONS, *CHILD_SECTIONS)


def sections_for(person: CasePerson, content: dict | None = None) -> tuple[str, ...]:
    """The parts of this person's plan: a child's own, or an adult's. Parts
    the current plan already fills in stay offered after them (a plan made
    before the person's role changed), so saving never drops what it held."""
    own = CHILD_SECTIONS if person.role == "child" else SECTIONS
    kept = tuple(
        code for code in ALL_SECTIONS if code not in own and clean((content or {}).get(code))
    )
    return own + kept


def clean_content(
    content: dict[str, str | None], sections: tuple[str, ...] = SECTIONS
) -> dict[str, str]:
    """The filled sections only, trimmed; sections not in `sections` are
    dropped. A RuleError names every part at fault ({"safe_places":
    "too_long"}), or the first part when none is filled ({"warning_signs":
    "empty"}): that is where staff start filling in."""
    cleaned: dict[str, str] = {}
    too_long: dict[str, str] = {}
    for section in sections:
        text = clean(content.get(section))
        if text is None:
            continue
        if len(text) > TEXT_MAX:
            too_long[section] = "too_long"
        cleaned[section] = text
    if too_long:
        raise RuleError(too_long)
    if not cleaned:
        raise RuleError(sections[0], "empty")
    return cleaned


def current(session: Session, person: CasePerson) -> SafetyPlan | None:
    return session.scalar(
        select(SafetyPlan)
        .where(SafetyPlan.person_id == person.id)
        .order_by(SafetyPlan.created_at.desc(), SafetyPlan.id.desc())
        .limit(1)
    )


def history(session: Session, person: CasePerson) -> list[SafetyPlan]:
    """Every version, newest first (the first one is the plan)."""
    return list(
        session.scalars(
            select(SafetyPlan)
            .where(SafetyPlan.person_id == person.id)
            .order_by(SafetyPlan.created_at.desc(), SafetyPlan.id.desc())
        )
    )


def last_updates(session: Session, case: Case) -> dict[int, datetime]:
    """{person id: when their plan was last saved}, for the whole file in one query."""
    rows = session.execute(
        select(SafetyPlan.person_id, func.max(SafetyPlan.created_at))
        .where(SafetyPlan.case_id == case.id)
        .group_by(SafetyPlan.person_id)
    )
    return {person_id: when for person_id, when in rows}


def save(
    session: Session, case: Case, person: CasePerson, staff: Staff, content: dict
) -> SafetyPlan | None:
    """Add a version of the person's plan; None when it equals the current one."""
    if person.case_id != case.id:
        raise RuleError("person", "missing")
    latest = current(session, person)
    cleaned = clean_content(content, sections_for(person, latest.content if latest else None))
    if latest is not None and latest.content == cleaned:
        return None
    plan = SafetyPlan(
        case_id=case.id,
        person_id=person.id,
        content=cleaned,
        staff_id=staff.id,
        created_at=clock.now(),
    )
    session.add(plan)
    session.flush()
    # The timeline names the person's role only: names and plan text stay encrypted.
    record(
        session,
        case,
        staff,
        "case.safety_plan_saved",
        person.role,
        audit_detail=f"safety plan {plan.id} person {person.id}",
    )
    return plan
