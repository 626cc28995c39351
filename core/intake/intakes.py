"""Requests from the portal's doors (contact, question, referral, young people):
creating them and reading them back."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.infra.blind_index import email_index, phone_index
from core.infra.crypto import encrypting_for, keyring
from core.intake import priority, return_codes
from core.model import Intake, IntakeKind, IntakeStatus, Referral
from core.network.centres import centre_for

SUBMISSION_PURPOSE = "submission"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMES = ("morning", "afternoon", "evening")
CHILDREN_ANSWERS = ("yes", "no", "unknown")
URGENCIES = ("today", "this_week", "normal")
CONSENT_ANSWERS = ("agrees", "no_consent")
# A young person's age range (door /<lang>/young).
AGE_RANGES = ("under_12", "12_13", "14_15", "16_17", "not_said")
LEGAL_BASES = ("danger", "case_consultation")
# Well-known risk factors, in our own words (see DOMAIN.md).
RISK_CONCERNS = (
    "separation",
    "strangulation",
    "threats_to_kill",
    "weapons",
    "escalation",
    "stalking",
    "pregnancy",
    "children_witness",
    "substance_abuse",
    "suicide_threats",
)


class AlreadySubmitted(Exception):
    """The same form was sent twice (a double tap, a reload): one request only."""


def blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


@dataclass(frozen=True)
class SafeContact:
    """How the team may reach a person. None means "not said", never "yes"."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    may_call: bool | None = None
    may_text: bool | None = None
    may_voicemail: bool | None = None
    phone_say_who: bool | None = None
    email_say_who: bool | None = None
    safe_days: tuple[str, ...] = ()
    safe_times: tuple[str, ...] = ()
    safe_word: str | None = None
    contact_language: str | None = None
    interpreter_needed: bool | None = None
    # A young person's way in through an adult they trust or a school contact:
    # who, and how to reach them, in their own words.
    trusted_adult: str | None = None


@dataclass(frozen=True)
class ReferralDetails:
    organisation: str
    name: str
    client_consent: str
    urgency: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    contact_via_referrer: bool = False
    legal_basis: str | None = None
    basis_note: str | None = None
    risk_concerns: tuple[str, ...] = ()
    risk_text: str | None = None


@dataclass(frozen=True)
class Submission:
    kind: IntakeKind
    language: str
    contact: SafeContact = field(default_factory=SafeContact)
    municipality_id: int | None = None
    children_involved: str | None = None
    danger_now: bool = False
    story: str | None = None
    referral: ReferralDetails | None = None
    submission_id: str | None = None
    age_range: str | None = None


def _codes(values: tuple[str, ...], allowed: tuple[str, ...]) -> str | None:
    chosen = [value for value in allowed if value in values]
    return ",".join(chosen) or None


def _apply_contact(intake: Intake, contact: SafeContact) -> None:
    intake.name = blank_to_none(contact.name)
    apply_rules(intake, contact)


def apply_rules(intake: Intake, contact: SafeContact) -> None:
    """Her numbers and rules onto the request (not her name): on arrival, and
    when staff change the rules on her case file (core.intake.contact_rules)."""
    phone = blank_to_none(contact.phone)
    email = blank_to_none(contact.email)
    intake.phone = phone
    intake.email = email
    # Permissions only mean something for a channel that was given.
    intake.may_call = contact.may_call if phone else None
    intake.may_text = contact.may_text if phone else None
    intake.may_voicemail = contact.may_voicemail if phone else None
    intake.phone_say_who = contact.phone_say_who if phone else None
    intake.email_say_who = contact.email_say_who if email else None
    intake.safe_days = _codes(contact.safe_days, DAYS)
    intake.safe_times = _codes(contact.safe_times, TIMES)
    intake.safe_word = blank_to_none(contact.safe_word)
    intake.contact_language = contact.contact_language or None
    intake.interpreter_needed = contact.interpreter_needed
    intake.trusted_adult = blank_to_none(contact.trusted_adult)
    intake.phone_index = phone_index(phone)
    intake.email_index = email_index(email)


def _referral(details: ReferralDetails) -> Referral:
    return Referral(
        organisation=details.organisation.strip(),
        role=blank_to_none(details.role),
        name=details.name.strip(),
        phone=blank_to_none(details.phone),
        email=blank_to_none(details.email),
        contact_via_referrer=details.contact_via_referrer,
        client_consent=details.client_consent,
        legal_basis=details.legal_basis if details.client_consent == "no_consent" else None,
        basis_note=blank_to_none(details.basis_note),
        risk_concerns=[code for code in RISK_CONCERNS if code in details.risk_concerns],
        risk_text=blank_to_none(details.risk_text),
        urgency=details.urgency,
    )


def submit(session: Session, data: Submission) -> tuple[Intake, str]:
    """Store the request; return it with its return code (shown once, never stored).

    The statements come after everything else is made: finding the centre,
    then writing the request (encrypted as it is written). On SQLite the first
    statement takes the one write lock every worker waits for, so nothing is
    computed while it is held that could be computed before. A form sent twice
    is refused by the unique submission key when it is written, not by a
    lookup before."""
    submission_key = (
        keyring().lookup_key(SUBMISSION_PURPOSE, data.submission_id) if data.submission_id else None
    )
    code = return_codes.generate()
    intake = Intake(
        kind=data.kind,
        status=IntakeStatus.NEW,
        language=data.language,
        municipality_id=data.municipality_id,
        children_involved=data.children_involved,
        danger_now=data.danger_now,
        story=blank_to_none(data.story),
        age_range=data.age_range if data.age_range in AGE_RANGES else None,
        return_code_key=return_codes.lookup_key(code),
        submission_key=submission_key,
    )
    _apply_contact(intake, data.contact)
    if data.referral is not None:
        intake.referral = _referral(data.referral)
    intake.priority = priority.static_priority(intake)
    # Her municipality's centre (for a referral: the client's), else the default one.
    centre = centre_for(session, data.municipality_id)
    intake.centre_id = centre.id
    session.add(intake)
    try:
        # Under the keys of the centre it went to (FJC_DATA_KEYS_<SLUG>).
        with encrypting_for(centre.slug):
            session.flush()
    except IntegrityError:
        session.rollback()
        # A double tap, a reload, or a concurrent copy of the same form that
        # won the race. Anything else (10^16 codes make a return-code
        # collision far rarer) is an error: nothing was stored or acknowledged.
        if submission_key and _stored(session, submission_key):
            raise AlreadySubmitted from None
        raise
    if data.referral is None:
        # Known to be none: read after the commit (the urgent notice), a
        # relationship never loaded would be fetched in a transaction of its
        # own (on SQLite a second wait for the write lock). Set as loaded, not
        # as a change: the flush would spend time on it.
        set_committed_value(intake, "referral", None)
    return intake, code


def _stored(session: Session, submission_key: str) -> bool:
    return (
        session.scalar(select(Intake.id).where(Intake.submission_key == submission_key)) is not None
    )


def newest_intakes(session: Session, *, limit: int = 50, offset: int = 0) -> list[Intake]:
    query = select(Intake).order_by(Intake.created_at.desc(), Intake.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_intakes(session: Session) -> int:
    return session.scalar(select(func.count(Intake.id))) or 0


def get_intake(session: Session, intake_id: int) -> Intake | None:
    return session.get(Intake, intake_id)
