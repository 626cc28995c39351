"""Rectification (GDPR art. 16): a coordinator corrects a field of a request
or of a person in a case file, on the person's request, with a reason.

The record then holds the right value; the value it replaced stays in the
history (encrypted), with who corrected it, why and when, so the centre can
show what it held and since when it holds something else. The corrected
fields are the ones staff already keep about a person: name, phone, e-mail,
a child's year of birth, a request's municipality.

A victim carried over from her request reaches us through that request: her
phone and e-mail are one record with it (core.intake.contact_rules), so they
are corrected on the request, which updates her person in the file too.

This module sits below casework (core/governance): it checks the values with
infra and the model only, by the same rules as core.casework.people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.governance import audit
from core.infra import clock, phones
from core.infra.blind_index import email_index, phone_index
from core.model import (
    CaseEvent,
    CasePerson,
    Intake,
    IntakeCorrection,
    IntakeStatus,
    Municipality,
    PersonCorrection,
    Staff,
)
from core.rules import WHOLE, RuleError

PERSON_FIELDS = ("name", "phone", "email", "birth_year")
INTAKE_FIELDS = ("name", "phone", "email", "municipality")
# Her request's, for a victim carried over from it (see above).
ON_HER_REQUEST = ("phone", "email")
# The limits of core.casework.people, which this layer may not import
# (tests/core/governance/test_rectification.py checks they stay the same).
SHORT_MAX = 200
REASON_MAX = 4000
OLDEST_CHILD_AGE = 30
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

PERSON_CORRECTED = "case.person_corrected"
INTAKE_CORRECTED = "intake.corrected"


@dataclass(frozen=True)
class HistoryEntry:
    """One correction as staff read it: the value before and the one after."""

    field: str
    old_value: str | None
    new_value: str | None
    reason: str
    staff_id: int | None
    at: datetime


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return _CONTROL_CHARS.sub("", str(value)).strip() or None


def _reason(reason: str | None, errors: dict[str, str]) -> str | None:
    text = _clean(reason)
    if text is None:
        errors["reason"] = "missing"
    elif len(text) > REASON_MAX:
        errors["reason"] = "too_long"
    return text


def _contact_value(field: str, value: str | None) -> str | None:
    """A checked name, phone or e-mail address (None: emptied)."""
    text = _clean(value)
    if text is None:
        return None
    if len(text) > SHORT_MAX:
        raise RuleError("value", "too_long")
    if field == "email" and "@" not in text:
        raise RuleError("value", "not_an_email")
    if field == "phone":
        try:
            return phones.normalise(text)
        except phones.NotAPhoneNumber:
            raise RuleError("value", "not_a_phone") from None
    return text


def _birth_year(value: str | None, this_year: int) -> int | None:
    text = _clean(value)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) != 4:
        raise RuleError("value", "not_a_year")
    year = int(text)
    if year > this_year:
        raise RuleError("value", "future")
    if year < this_year - OLDEST_CHILD_AGE:
        raise RuleError("value", "too_old")
    return year


def _as_text(value: object) -> str | None:
    return None if value is None else str(value)


# --- A person in a case file ----------------------------------------------


def person_fields(person: CasePerson) -> tuple[str, ...]:
    """What may be corrected on this person's page."""
    fields = [f for f in PERSON_FIELDS if f != "birth_year" or person.role == "child"]
    if _her_request(person) is not None:
        fields = [f for f in fields if f not in ON_HER_REQUEST]
    return tuple(fields)


def _her_request(person: CasePerson) -> Intake | None:
    intake = person.contact_intake
    if intake is None or intake.status == IntakeStatus.ERASED:
        return None
    return intake


def person_value(person: CasePerson, field: str) -> str | None:
    return _as_text(getattr(person, field))


def correct_person(
    session: Session,
    person: CasePerson,
    staff: Staff,
    field: str,
    value: str | None,
    reason: str | None,
    this_year: int,
) -> PersonCorrection:
    """Correct one field of a person; the old value goes into the history."""
    errors: dict[str, str] = {}
    text = _reason(reason, errors)
    if person.case.erased_at is not None:
        raise RuleError(WHOLE, "erased")
    if field not in PERSON_FIELDS:
        errors["field"] = "missing"
    elif field not in person_fields(person):
        errors["field"] = "on_her_request" if field in ON_HER_REQUEST else "child_only"
    new: object = None
    if "field" not in errors:
        try:
            if field == "birth_year":
                new = _birth_year(value, this_year)
            else:
                new = _contact_value(field, value)
        except RuleError as problem:
            errors.update(problem.problems)
        else:
            if new == getattr(person, field):
                errors["value"] = "unchanged"
    if errors:
        raise RuleError(errors)
    correction = PersonCorrection(
        person_id=person.id,
        field=field,
        old_value=person_value(person, field),
        reason=text,
        staff_id=staff.id,
        created_at=clock.now(),
    )
    session.add(correction)
    setattr(person, field, new)
    # The timeline names the role only, like every change to a person.
    session.add(
        CaseEvent(
            case_id=person.case_id,
            staff_id=staff.id,
            action=PERSON_CORRECTED,
            detail=person.role,
            created_at=clock.now(),
        )
    )
    session.flush()
    audit.record(
        session,
        PERSON_CORRECTED,
        actor_id=staff.id,
        target_type="case",
        target_id=person.case_id,
        detail=f"person {person.id} field {field} correction {correction.id}",
    )
    return correction


def person_history(session: Session, person: CasePerson) -> list[HistoryEntry]:
    """Every correction of the person, newest first, with the value after it."""
    rows = session.scalars(
        select(PersonCorrection)
        .where(PersonCorrection.person_id == person.id)
        .order_by(PersonCorrection.id)
    )
    return _history(list(rows), lambda field: person_value(person, field))


# --- A request --------------------------------------------------------------


def intake_value(session: Session, intake: Intake, field: str) -> str | None:
    if field == "municipality":
        if intake.municipality_id is None:
            return None
        municipality = session.get(Municipality, intake.municipality_id)
        return municipality.name if municipality is not None else None
    return _as_text(getattr(intake, field))


def municipalities_for(session: Session, intake: Intake) -> list[Municipality]:
    """Where a request of this centre may say the person lives. Another
    centre's municipality would be another centre's request: a transfer."""
    return list(
        session.scalars(
            select(Municipality)
            .where(Municipality.centre_id == intake.centre_id, Municipality.active.is_(True))
            .order_by(Municipality.position, Municipality.name)
        )
    )


def _municipality(session: Session, intake: Intake, value: str | None) -> int | None:
    text = _clean(value)
    if text is None:
        return None
    for municipality in municipalities_for(session, intake):
        if str(municipality.id) == text:
            return municipality.id
    raise RuleError("value", "not_a_municipality")


def correct_intake(
    session: Session,
    intake: Intake,
    staff: Staff,
    field: str,
    value: str | None,
    reason: str | None,
) -> IntakeCorrection:
    """Correct one field of a request; the old value goes into the history. A
    corrected phone or e-mail is matched by its new blind index from now on,
    and the person the request's case file carried over reads the new one."""
    errors: dict[str, str] = {}
    text = _reason(reason, errors)
    if intake.status == IntakeStatus.ERASED:
        raise RuleError(WHOLE, "erased")
    column = "municipality_id" if field == "municipality" else field
    new: object = None
    if field not in INTAKE_FIELDS:
        errors["field"] = "missing"
    else:
        try:
            if field == "municipality":
                new = _municipality(session, intake, value)
            else:
                new = _contact_value(field, value)
        except RuleError as problem:
            errors.update(problem.problems)
        else:
            if new == getattr(intake, column):
                errors["value"] = "unchanged"
    if errors:
        raise RuleError(errors)
    correction = IntakeCorrection(
        intake_id=intake.id,
        field=field,
        old_value=intake_value(session, intake, field),
        reason=text,
        staff_id=staff.id,
        created_at=clock.now(),
    )
    session.add(correction)
    setattr(intake, column, new)
    if field == "phone":
        intake.phone_index = phone_index(intake.phone)
        # Permissions only mean something for a channel that was given.
        if intake.phone is None:
            intake.may_call = intake.may_text = intake.may_voicemail = None
            intake.phone_say_who = None
    elif field == "email":
        intake.email_index = email_index(intake.email)
        if intake.email is None:
            intake.email_say_who = None
    if field in ON_HER_REQUEST:
        for person in session.scalars(
            select(CasePerson).where(CasePerson.contact_intake_id == intake.id)
        ):
            setattr(person, field, new)
    session.flush()
    audit.record(
        session,
        INTAKE_CORRECTED,
        actor_id=staff.id,
        target_type="intake",
        target_id=intake.id,
        detail=f"field {field} correction {correction.id}",
    )
    return correction


def intake_history(session: Session, intake: Intake) -> list[HistoryEntry]:
    rows = session.scalars(
        select(IntakeCorrection)
        .where(IntakeCorrection.intake_id == intake.id)
        .order_by(IntakeCorrection.id)
    )
    return _history(list(rows), lambda field: intake_value(session, intake, field))


def _history(rows: list, current) -> list[HistoryEntry]:
    """Each row's value after it: the next correction's old value of the same
    field, or the field's value now for the last one."""
    entries = []
    after: dict[str, str | None] = {}
    for row in reversed(rows):
        new_value = after[row.field] if row.field in after else current(row.field)
        after[row.field] = row.old_value
        entries.append(
            HistoryEntry(
                field=row.field,
                old_value=row.old_value,
                new_value=new_value,
                reason=row.reason,
                staff_id=row.staff_id,
                at=row.created_at,
            )
        )
    return entries
