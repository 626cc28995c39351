"""Changing how a person in a case file may be reached. The victim the file
was opened for has her rules on her request (core.intake.contact_rules): the
file changes that one record, keeps the earlier version, and puts the change
on its timeline and in the audit trail."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.casework.cases import record
from core.intake import contact_rules
from core.intake.intakes import SafeContact
from core.model import Case, CasePerson, Staff
from core.rules import WHOLE, RuleError


def rules_of(person: CasePerson) -> contact_rules.ContactRules | None:
    """The person's rules as she gave them, or None for someone staff added
    (their contact safety is the text staff wrote)."""
    intake = person.contact_intake
    if intake is None or intake.status == "erased":
        return None
    return contact_rules.ContactRules.of(intake)


def change_rules(
    session: Session,
    case: Case,
    person: CasePerson,
    staff: Staff,
    new: SafeContact,
    *,
    via_referrer: bool | None = None,
) -> bool:
    """New rules for the person; False when nothing changed."""
    intake = person.contact_intake
    if intake is None or intake.status == "erased":
        raise RuleError(WHOLE, "no_rules")
    if not contact_rules.change(session, intake, new, staff, via_referrer=via_referrer):
        return False
    # The card's phone and e-mail are the record's: one number, one rule.
    person.phone, person.email = intake.phone, intake.email
    record(
        session,
        case,
        staff,
        "case.contact_rules_changed",
        None,
        audit_detail=f"person {person.id} intake {intake.id}",
    )
    session.flush()
    return True
