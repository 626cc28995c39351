"""The people in a case file and how they are related: the victim, children
(with their age and school or care contacts), other adults and the person
causing harm. Each person says how to reach them safely, or that nobody may
contact them directly. The rules live here; the words for staff in the views."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from core.casework.cases import PERSON_ROLES, record
from core.infra import clock, phones
from core.model import Case, CasePerson, CaseRelation, ChildVoice, SafetyPlan, Staff
from core.rules import RuleError

# "person is <kind> of other": parent of the child, ex_partner of the victim.
RELATION_KINDS = ("partner", "ex_partner", "parent", "child", "sibling", "other_family", "other")
SHORT_MAX = 200
TEXT_MAX = 4000
# A "child" in a family file may be a young adult still living at home; an
# older year is a typing error more often than not.
OLDEST_CHILD_AGE = 30
CHILD_ONLY_FIELDS = ("birth_year", "school_contacts")
# What a person's safe-contact record holds when the file was opened for her.
RULES_RECORD_FIELDS = ("phone", "email", "contact_safety")
# C0 control characters other than tab and newlines: never meaningful in what
# staff type, and PostgreSQL refuses NUL in text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class PersonDetails:
    """What staff typed about a person, as typed (strings from the form)."""

    role: str = ""
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    contact_safety: str | None = None
    no_direct_contact: bool = False
    birth_year: str | int | None = None
    school_contacts: str | None = None
    notes: str | None = None


def clean(value: str | None) -> str | None:
    """Control characters out, spaces trimmed, empty as None."""
    if value is None:
        return None
    return _CONTROL_CHARS.sub("", str(value)).strip() or None


def age(birth_year: int | None, this_year: int) -> int | None:
    """The age this year; without a birth date it may be one year too high."""
    if birth_year is None:
        return None
    return max(this_year - birth_year, 0)


def _birth_year(value: str | int | None, this_year: int) -> tuple[int | None, str | None]:
    """(year, None) or (None, reason code)."""
    text = clean(str(value)) if value is not None else None
    if text is None:
        return None, None
    if not (text.isascii() and text.isdigit()) or len(text) != 4:
        return None, "not_a_year"
    year = int(text)
    if year > this_year:
        return None, "future"
    if year < this_year - OLDEST_CHILD_AGE:
        return None, "too_old"
    return year, None


def check_details(details: PersonDetails, this_year: int) -> dict:
    """The cleaned column values, or a RuleError naming every field at fault."""
    errors: dict[str, str] = {}
    if details.role not in PERSON_ROLES:
        errors["role"] = "missing"
    values: dict[str, Any] = {
        "role": details.role,
        "name": clean(details.name),
        "phone": clean(details.phone),
        "email": clean(details.email),
        "contact_safety": clean(details.contact_safety),
        "no_direct_contact": bool(details.no_direct_contact),
        "school_contacts": clean(details.school_contacts),
        "notes": clean(details.notes),
    }
    for field in ("name", "phone", "email"):
        if values[field] and len(values[field]) > SHORT_MAX:
            errors[field] = "too_long"
    for field in ("contact_safety", "school_contacts", "notes"):
        if values[field] and len(values[field]) > TEXT_MAX:
            errors[field] = "too_long"
    if values["email"] and "email" not in errors and "@" not in values["email"]:
        errors["email"] = "not_an_email"
    if values["phone"] and "phone" not in errors:
        try:
            values["phone"] = phones.normalise(values["phone"])
        except phones.NotAPhoneNumber:
            errors["phone"] = "not_a_phone"
    year, problem = _birth_year(details.birth_year, this_year)
    if problem:
        errors["birth_year"] = problem
    values["birth_year"] = year
    if details.role in PERSON_ROLES and details.role != "child":
        for field in CHILD_ONLY_FIELDS:
            if values[field] is not None or (field == "birth_year" and problem):
                errors[field] = "child_only"
    if errors:
        raise RuleError(errors)
    return values


def origin_person_id(case: Case) -> int | None:
    """The victim carried over from the request: the file's first person."""
    return min((person.id for person in case.people), default=None)


def person_in(case: Case, person_id: int | str | None) -> CasePerson | None:
    """The person of this file with that id; never one of another file."""
    for person in case.people:
        if str(person.id) == str(person_id):
            return person
    return None


def _check_relation_choice(case: Case, kind: str, other_id, errors: dict, prefix: str) -> None:
    if kind not in RELATION_KINDS:
        errors[f"{prefix}kind"] = "missing"
    if person_in(case, other_id) is None:
        errors[f"{prefix}to"] = "missing"


def add_person(
    session: Session,
    case: Case,
    staff: Staff,
    details: PersonDetails,
    this_year: int,
    *,
    relation_kind: str = "",
    related_to: int | str | None = None,
) -> tuple[CasePerson, CaseRelation | None]:
    """Add a person, and, when both are given, how they are related to someone
    already in the file ("the new person is <kind> of <someone>")."""
    errors: dict[str, str] = {}
    try:
        values = check_details(details, this_year)
    except RuleError as error:
        errors.update(error.problems)
    wants_relation = bool(relation_kind) or bool(related_to)
    if wants_relation:
        _check_relation_choice(case, relation_kind, related_to, errors, "relation_")
    if errors:
        raise RuleError(errors)
    person = CasePerson(**values)
    case.people.append(person)
    session.flush()
    # The timeline names the role only: the name stays in the person's row.
    record(
        session,
        case,
        staff,
        "case.person_added",
        person.role,
        audit_detail=f"person {person.id} {person.role}",
    )
    relation = None
    if wants_relation:
        relation = add_relation(session, case, staff, person.id, relation_kind, related_to)
    return person, relation


def _victims(case: Case) -> list[CasePerson]:
    return [person for person in case.people if person.role == "victim"]


def update_person(
    session: Session,
    case: Case,
    person: CasePerson,
    staff: Staff,
    details: PersonDetails,
    this_year: int,
) -> bool:
    """Change a person's details; False when nothing changed. A file keeps at
    least one victim, so the last victim's role cannot change."""
    values = check_details(details, this_year)
    if person.contact_intake_id is not None:
        # Her phone, e-mail and rules are one record with her request, changed
        # on their own page (core.casework.contact); this form does not hold them.
        for field in RULES_RECORD_FIELDS:
            values.pop(field)
    if person.role == "victim" and values["role"] != "victim" and len(_victims(case)) == 1:
        raise RuleError({"role": "last_victim"})
    changed = [field for field, value in values.items() if getattr(person, field) != value]
    if not changed:
        return False
    for field in changed:
        setattr(person, field, values[field])
    record(
        session,
        case,
        staff,
        "case.person_updated",
        person.role,
        audit_detail=f"person {person.id} {person.role}",
    )
    session.flush()
    return True


def has_safety_plan(session: Session, person: CasePerson) -> bool:
    return (
        session.scalar(select(SafetyPlan.id).where(SafetyPlan.person_id == person.id).limit(1))
        is not None
    )


def has_voice(session: Session, person: CasePerson) -> bool:
    """Whether a child's own words are in the file (core.casework.child_voice)."""
    return (
        session.scalar(select(ChildVoice.id).where(ChildVoice.person_id == person.id).limit(1))
        is not None
    )


def remove_person(session: Session, case: Case, person: CasePerson, staff: Staff) -> None:
    """Remove a person entered by mistake, with their relations. Refused for
    the victim from the request (the file stays about them), for a person
    with a safety plan (its versions are part of the file's history) and for
    a child whose own words are in the file (the same: they stay)."""
    if person.id == origin_person_id(case):
        raise RuleError({"person": "from_request"})
    if person.role == "victim" and len(_victims(case)) == 1:
        raise RuleError({"person": "last_victim"})
    if has_safety_plan(session, person):
        raise RuleError({"person": "has_safety_plan"})
    if has_voice(session, person):
        raise RuleError({"person": "has_voice"})
    session.execute(
        delete(CaseRelation).where(
            or_(CaseRelation.person_id == person.id, CaseRelation.other_person_id == person.id)
        )
    )
    role, person_id = person.role, person.id
    case.people.remove(person)
    session.flush()
    record(
        session,
        case,
        staff,
        "case.person_removed",
        role,
        audit_detail=f"person {person_id} {role}",
    )


def relations_of(session: Session, case: Case) -> list[CaseRelation]:
    """Every relation in the file, in one query, oldest first."""
    return list(
        session.scalars(
            select(CaseRelation).where(CaseRelation.case_id == case.id).order_by(CaseRelation.id)
        )
    )


def add_relation(
    session: Session,
    case: Case,
    staff: Staff,
    person_id: int | str | None,
    kind: str,
    other_person_id: int | str | None,
) -> CaseRelation:
    """ "person is <kind> of other". Both must be in this file, different
    people, and the same relation is not recorded twice."""
    errors: dict[str, str] = {}
    person = person_in(case, person_id)
    other = person_in(case, other_person_id)
    if person is None:
        errors["person"] = "missing"
    if kind not in RELATION_KINDS:
        errors["kind"] = "missing"
    if other is None:
        errors["other"] = "missing"
    elif person is not None and person.id == other.id:
        errors["other"] = "self"
    if errors or person is None or other is None:
        raise RuleError(errors)
    duplicate = session.scalar(
        select(CaseRelation.id).where(
            CaseRelation.case_id == case.id,
            CaseRelation.person_id == person.id,
            CaseRelation.other_person_id == other.id,
            CaseRelation.kind == kind,
        )
    )
    if duplicate is not None:
        raise RuleError({"kind": "duplicate"})
    relation = CaseRelation(
        case_id=case.id,
        person_id=person.id,
        other_person_id=other.id,
        kind=kind,
        created_at=clock.now(),
    )
    session.add(relation)
    session.flush()
    record(
        session, case, staff, "case.relation_added", kind, audit_detail=_relation_detail(relation)
    )
    return relation


def remove_relation(session: Session, case: Case, relation: CaseRelation, staff: Staff) -> None:
    kind, detail = relation.kind, _relation_detail(relation)
    session.delete(relation)
    session.flush()
    record(session, case, staff, "case.relation_removed", kind, audit_detail=detail)


def _relation_detail(relation: CaseRelation) -> str:
    return (
        f"relation {relation.id} {relation.kind} "
        f"person {relation.person_id} other {relation.other_person_id}"
    )
