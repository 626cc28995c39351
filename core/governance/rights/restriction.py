"""Restriction of processing (GDPR art. 18): a record stays stored but is not
used until the restriction is lifted, for example while the person contests
that it is right, or objects to its use.

Not used means: not matched with other requests (core.intake.triage.matches,
core.network.known_elsewhere), not counted in the figures (core.reporting),
not shown to partners (web.casefile.content for the partner face and a print
for a partner). Staff of the centre still see it, marked as restricted, so
nobody acts on it by mistake. Restricting and lifting are coordinators'
decisions, each with a reason, on the case timeline (for a person) and in the
audit trail.

A person carried over from a request and that request are one record: the
restriction of either holds for both (core.model.rectification).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.governance import audit
from core.infra import clock
from core.model import (
    Case,
    CaseEvent,
    CasePerson,
    Intake,
    IntakeRestriction,
    PersonRestriction,
    Staff,
    restricted_intake_ids,
    restricted_person_ids,
)
from core.rules import WHOLE, RuleError

REASON_MAX = 4000
PERSON_RESTRICTED = "case.person_restricted"
PERSON_LIFTED = "case.person_restriction_lifted"
INTAKE_RESTRICTED = "intake.restricted"
INTAKE_LIFTED = "intake.restriction_lifted"

Restriction = PersonRestriction | IntakeRestriction


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleError("reason", "missing")
    if len(text) > REASON_MAX:
        raise RuleError("reason", "too_long")
    return text


# --- Asked by every use of the data ------------------------------------------


def intake_is_restricted(session: Session, intake: Intake) -> bool:
    """The request may not be used: its own restriction, or its person's."""
    return (
        session.scalar(
            select(Intake.id).where(Intake.id == intake.id, Intake.id.in_(restricted_intake_ids()))
        )
        is not None
    )


def person_is_restricted(session: Session, person: CasePerson) -> bool:
    return (
        session.scalar(
            select(CasePerson.id).where(
                CasePerson.id == person.id, CasePerson.id.in_(restricted_person_ids())
            )
        )
        is not None
    )


@dataclass(frozen=True)
class RestrictedInCase:
    """What of one case file may not be used: its people and its requests."""

    person_ids: frozenset[int]
    intake_ids: frozenset[int]


def restricted_in(session: Session, case: Case) -> RestrictedInCase:
    """In two queries, whatever the size of the file."""
    people = session.scalars(
        select(CasePerson.id).where(
            CasePerson.case_id == case.id, CasePerson.id.in_(restricted_person_ids())
        )
    )
    intakes = session.scalars(
        select(Intake.id).where(
            Intake.id.in_([i.id for i in case.intakes]), Intake.id.in_(restricted_intake_ids())
        )
    )
    return RestrictedInCase(frozenset(people), frozenset(intakes))


# --- The record's own restriction --------------------------------------------


def in_force_on_person(session: Session, person: CasePerson) -> PersonRestriction | None:
    """The person's own restriction in force (not one through her request)."""
    return session.scalar(
        select(PersonRestriction)
        .where(PersonRestriction.person_id == person.id, PersonRestriction.lifted_at.is_(None))
        .order_by(PersonRestriction.id)
        .limit(1)
    )


def in_force_on_intake(session: Session, intake: Intake) -> IntakeRestriction | None:
    return session.scalar(
        select(IntakeRestriction)
        .where(IntakeRestriction.intake_id == intake.id, IntakeRestriction.lifted_at.is_(None))
        .order_by(IntakeRestriction.id)
        .limit(1)
    )


def person_restrictions(session: Session, person: CasePerson) -> list[PersonRestriction]:
    """Every restriction of the person, newest first, lifted ones too."""
    return list(
        session.scalars(
            select(PersonRestriction)
            .where(PersonRestriction.person_id == person.id)
            .order_by(PersonRestriction.id.desc())
        )
    )


def intake_restrictions(session: Session, intake: Intake) -> list[IntakeRestriction]:
    return list(
        session.scalars(
            select(IntakeRestriction)
            .where(IntakeRestriction.intake_id == intake.id)
            .order_by(IntakeRestriction.id.desc())
        )
    )


def _timeline(session: Session, person: CasePerson, staff: Staff, action: str) -> None:
    session.add(
        CaseEvent(
            case_id=person.case_id,
            staff_id=staff.id,
            action=action,
            detail=person.role,
            created_at=clock.now(),
        )
    )


def restrict_person(
    session: Session, person: CasePerson, staff: Staff, reason: str | None
) -> PersonRestriction:
    text = _reason(reason)
    if in_force_on_person(session, person) is not None:
        raise RuleError(WHOLE, "already_restricted")
    row = PersonRestriction(
        person_id=person.id, reason=text, restricted_by_id=staff.id, restricted_at=clock.now()
    )
    session.add(row)
    _timeline(session, person, staff, PERSON_RESTRICTED)
    session.flush()
    audit.record(
        session,
        PERSON_RESTRICTED,
        actor_id=staff.id,
        target_type="case",
        target_id=person.case_id,
        detail=f"person {person.id} restriction {row.id}",
    )
    return row


def lift_person(
    session: Session, person: CasePerson, staff: Staff, reason: str | None
) -> PersonRestriction:
    text = _reason(reason)
    row = in_force_on_person(session, person)
    if row is None:
        raise RuleError(WHOLE, "not_restricted")
    _lift(row, staff, text)
    _timeline(session, person, staff, PERSON_LIFTED)
    session.flush()
    audit.record(
        session,
        PERSON_LIFTED,
        actor_id=staff.id,
        target_type="case",
        target_id=person.case_id,
        detail=f"person {person.id} restriction {row.id}",
    )
    return row


def restrict_intake(
    session: Session, intake: Intake, staff: Staff, reason: str | None
) -> IntakeRestriction:
    text = _reason(reason)
    if in_force_on_intake(session, intake) is not None:
        raise RuleError(WHOLE, "already_restricted")
    row = IntakeRestriction(
        intake_id=intake.id, reason=text, restricted_by_id=staff.id, restricted_at=clock.now()
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        INTAKE_RESTRICTED,
        actor_id=staff.id,
        target_type="intake",
        target_id=intake.id,
        detail=f"restriction {row.id}",
    )
    return row


def lift_intake(
    session: Session, intake: Intake, staff: Staff, reason: str | None
) -> IntakeRestriction:
    text = _reason(reason)
    row = in_force_on_intake(session, intake)
    if row is None:
        raise RuleError(WHOLE, "not_restricted")
    _lift(row, staff, text)
    session.flush()
    audit.record(
        session,
        INTAKE_LIFTED,
        actor_id=staff.id,
        target_type="intake",
        target_id=intake.id,
        detail=f"restriction {row.id}",
    )
    return row


def _lift(row: Restriction, staff: Staff, reason: str) -> None:
    row.lifted_at = clock.now()
    row.lifted_by_id = staff.id
    row.lift_reason = reason


# --- The list of the centre's restrictions in force --------------------------


@dataclass(frozen=True)
class InForce:
    """One restriction in force, for the list: which record, since when."""

    restriction: Restriction
    case: Case | None
    person: CasePerson | None
    intake: Intake | None


def in_force(session: Session, centre_id: int) -> list[InForce]:
    """The centre's restrictions in force, oldest first."""
    people = session.execute(
        select(PersonRestriction, CasePerson, Case)
        .join(CasePerson, CasePerson.id == PersonRestriction.person_id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(PersonRestriction.lifted_at.is_(None), Case.centre_id == centre_id)
    ).all()
    intakes = session.execute(
        select(IntakeRestriction, Intake)
        .join(Intake, Intake.id == IntakeRestriction.intake_id)
        .where(IntakeRestriction.lifted_at.is_(None), Intake.centre_id == centre_id)
    ).all()
    found = [InForce(r, case, person, None) for r, person, case in people]
    found += [InForce(r, None, None, intake) for r, intake in intakes]
    return sorted(found, key=lambda f: f.restriction.restricted_at)
