"""Partners in a case file: who is involved, and on what basis they may hear
from the file. Either the client's consent (for what, given when, withdrawn
when) or a case consultation under art. 458ter Sw. `may_see` is the one rule
that says what a partner may see; a partner login will ask it too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.casework.cases import record
from core.identity.organisations import KINDS as ORGANISATION_KINDS
from core.infra import clock
from core.model import Case, CasePartner, CaseStatus, Staff
from core.rules import RuleError

# The kinds are the organisations' (an account's organisation has one too).
KINDS = ORGANISATION_KINDS
BASES = ("consent", "case_consultation")
# The parts of a case file that can be shared, in the order the page shows them.
# "action_plan" covers the actions and the case consultations.
PARTS = ("contact_details", "story", "risk_assessment", "safety_plan", "action_plan")
# A 458ter consultation shares what protecting the person needs: every part.
CONSULTATION_PARTS = frozenset(PARTS)


# Who the partner is and how to reach them: what the edit page may change.
DETAIL_FIELDS = ("kind", "organisation", "contact_name", "contact_details")
# Longest text kept per field of a partner, so a pasted letter does not end up
# in the organisation's name.
FIELD_MAX = {"organisation": 200, "contact_name": 200, "contact_details": 500}


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _detail_problems(kind: str, values: dict[str, str | None]) -> dict[str, str]:
    """What is wrong with who the partner is and how to reach them, per field."""
    problems = {}
    if kind not in KINDS:
        problems["kind"] = "missing"
    if values["organisation"] is None:
        problems["organisation"] = "missing"
    for field, value in values.items():
        if value is not None and len(value) > FIELD_MAX[field]:
            problems[field] = "too_long"
    return problems


def _details(organisation, contact_name, contact_details) -> dict[str, str | None]:
    return {
        "organisation": _text(organisation),
        "contact_name": _text(contact_name),
        "contact_details": _text(contact_details),
    }


def add_partner(
    session: Session,
    case: Case,
    staff: Staff,
    *,
    kind: str,
    organisation: str,
    basis: str,
    contact_name: str | None = None,
    contact_details: str | None = None,
    scope: list[str] | tuple[str, ...] | set[str] | None = None,
    consent_given_at: datetime | None = None,
) -> CasePartner:
    """Add a partner. Consent needs what may be shared and when it was given,
    not later than now; a case consultation shares every part, so it takes
    neither."""
    values = _details(organisation, contact_name, contact_details)
    problems = _detail_problems(kind, values)
    if basis not in BASES:
        problems["basis"] = "missing"
    now = clock.now()
    clean_scope: list[str] | None = None
    if basis == "consent":
        chosen = set(scope or ())
        if not chosen or not chosen <= set(PARTS):
            problems["scope"] = "missing"
        if consent_given_at is None:
            problems["consent_given_at"] = "missing"
        elif consent_given_at > now:
            problems["consent_given_at"] = "future"
        clean_scope = [part for part in PARTS if part in chosen]
    else:
        consent_given_at = None
    if problems:
        raise RuleError(problems)
    partner = CasePartner(
        case_id=case.id,
        kind=kind,
        **values,
        basis=basis,
        consent_scope=clean_scope,
        consent_given_at=consent_given_at,
        added_by_id=staff.id,
        added_at=now,
    )
    session.add(partner)
    session.flush()
    # The timeline names the kind and basis only: the organisation stays in its row.
    record(
        session,
        case,
        staff,
        "case.partner_added",
        f"{kind}, {basis}",
        audit_detail=f"partner {partner.id} {kind} {basis}",
    )
    return partner


def withdraw_consent(
    session: Session, case: Case, partner: CasePartner, staff: Staff, at: datetime | None = None
) -> None:
    """The client withdraws consent: from `at` on, the partner may see nothing."""
    if partner.basis != "consent":
        raise RuleError("basis", "not_consent")
    if partner.consent_withdrawn_at is not None:
        raise RuleError("basis", "already_withdrawn")
    partner.consent_withdrawn_at = at or clock.now()
    record(
        session,
        case,
        staff,
        "case.consent_withdrawn",
        partner.kind,
        audit_detail=f"partner {partner.id} {partner.kind}",
    )
    session.flush()


def update_partner(
    session: Session,
    case: Case,
    partner: CasePartner,
    staff: Staff,
    *,
    kind: str,
    organisation: str,
    contact_name: str | None = None,
    contact_details: str | None = None,
) -> bool:
    """Correct who the partner is and how to reach them; True when something
    changed. The basis and the consent scope stay as they are: a wider scope is
    a new consent with its own date, so the file keeps showing who could see
    what, and since when (withdraw, then add the partner again)."""
    if partner.case_id != case.id:
        raise RuleError("case", "other_case")
    if case.status != CaseStatus.OPEN:
        raise RuleError("case", "closed")
    values: dict[str, str | None] = _details(organisation, contact_name, contact_details)
    if problems := _detail_problems(kind, values):
        raise RuleError(problems)
    values["kind"] = kind
    changed = [field for field, value in values.items() if getattr(partner, field) != value]
    if not changed:
        return False
    # Members work on the file for the organisation named here: another
    # organisation first needs them out (they would see the file on its basis).
    if partner.organisation_id is not None and {"kind", "organisation"} & set(changed):
        raise RuleError("organisation", "members_linked")
    for field in changed:
        setattr(partner, field, values[field])
    # The kind code only: names and details stay in the partner's row.
    record(
        session,
        case,
        staff,
        "case.partner_updated",
        partner.kind,
        audit_detail=f"partner {partner.id}",
    )
    session.flush()
    return True


def may_see(partner: CasePartner, at: datetime | None = None) -> set[str]:
    """The parts of the file this partner may see at `at` (now by default).
    Nothing while its basis waits to be checked after a transfer: the consent
    or the 458ter consultation was given at another centre."""
    at = at or clock.now()
    if partner.transfer_review:
        return set()
    if partner.basis == "case_consultation":
        return set(CONSULTATION_PARTS)
    if partner.basis != "consent" or partner.consent_given_at is None:
        return set()
    if at < partner.consent_given_at:
        return set()
    if partner.consent_withdrawn_at is not None and at >= partner.consent_withdrawn_at:
        return set()
    return set(partner.consent_scope or ()) & set(PARTS)


def partners_of(session: Session, case: Case) -> list[CasePartner]:
    return list(
        session.scalars(
            select(CasePartner).where(CasePartner.case_id == case.id).order_by(CasePartner.id)
        )
    )
