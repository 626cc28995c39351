"""Requests from the portal's doors (contact, question, referral, young people):
creating them and reading them back."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import Insert, Table, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.infra import clock
from core.infra.blind_index import email_index, phone_index
from core.infra.crypto import encrypting_for, keyring
from core.intake import priority, return_codes
from core.model import Intake, IntakeKind, IntakeStatus, Referral
from core.network.centres import CentreMissing, centre_route, route_statement

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


def contact_columns(contact: SafeContact) -> dict[str, object]:
    """Her numbers and rules as the request's columns (not her name): on
    arrival, and when staff change the rules on her case file."""
    phone = blank_to_none(contact.phone)
    email = blank_to_none(contact.email)
    return {
        "phone": phone,
        "email": email,
        # Permissions only mean something for a channel that was given.
        "may_call": contact.may_call if phone else None,
        "may_text": contact.may_text if phone else None,
        "may_voicemail": contact.may_voicemail if phone else None,
        "phone_say_who": contact.phone_say_who if phone else None,
        "email_say_who": contact.email_say_who if email else None,
        "safe_days": _codes(contact.safe_days, DAYS),
        "safe_times": _codes(contact.safe_times, TIMES),
        "safe_word": blank_to_none(contact.safe_word),
        "contact_language": contact.contact_language or None,
        "interpreter_needed": contact.interpreter_needed,
        "trusted_adult": blank_to_none(contact.trusted_adult),
        "phone_index": phone_index(phone),
        "email_index": email_index(email),
    }


def apply_rules(intake: Intake, contact: SafeContact) -> None:
    """Her numbers and rules onto the request (core.intake.contact_rules)."""
    for column, value in contact_columns(contact).items():
        setattr(intake, column, value)


@dataclass(frozen=True)
class _Referred:
    urgency: str
    risk_concerns: Collection[str] | None


@dataclass(frozen=True)
class _Arriving:
    """What the priority rules read of a request before it is stored."""

    kind: str
    danger_now: bool
    children_involved: str | None
    created_at: datetime
    referral: _Referred | None
    first_contact_at: datetime | None = None


def _referral_row(details: ReferralDetails) -> tuple[dict[str, object], _Referred]:
    """The referral's columns, and what the priority rules read of them."""
    concerns = [code for code in RISK_CONCERNS if code in details.risk_concerns]
    row: dict[str, object] = {
        "organisation": details.organisation.strip(),
        "role": blank_to_none(details.role),
        "name": details.name.strip(),
        "phone": blank_to_none(details.phone),
        "email": blank_to_none(details.email),
        "contact_via_referrer": details.contact_via_referrer,
        "client_consent": details.client_consent,
        "legal_basis": details.legal_basis if details.client_consent == "no_consent" else None,
        "basis_note": blank_to_none(details.basis_note),
        "risk_concerns": concerns,
        "risk_text": blank_to_none(details.risk_text),
        "urgency": details.urgency,
    }
    return row, _Referred(details.urgency, concerns)


@dataclass(frozen=True)
class Stored:
    """A request just written: what the door needs after the commit."""

    id: int
    centre_id: int
    danger_now: bool
    referral_urgency: str | None


@cache
def _routed_insert(columns: tuple[str, ...]) -> Insert:
    """The request's INSERT that finds its centre itself (route_statement):
    INSERT ... SELECT the centre's id and the given values, RETURNING id
    and centre. Inserts nothing when there is no centre."""
    intakes = cast(Table, Intake.__table__)
    route = route_statement().subquery()
    values = [bindparam(name, type_=intakes.c[name].type) for name in columns]
    return (
        insert(intakes)
        .from_select(["centre_id", *columns], select(route.c.id, *values))
        .returning(intakes.c.id, intakes.c.centre_id)
    )


@cache
def _inserts() -> tuple[Insert, Insert]:
    # Core statements on the tables (built once): the column types still
    # encrypt and convert every value, and the columns' defaults still apply.
    intakes = cast(Table, Intake.__table__)
    return insert(intakes).returning(intakes.c.id), insert(cast(Table, Referral.__table__))


def store(session: Session, data: Submission) -> tuple[Stored, str]:
    """Store the request; return what was stored with its return code (shown
    once, never stored).

    The statements come after everything else is made: the request's INSERT,
    which finds its centre itself (when centres have keys of their own, the
    centre is read first: its keys encrypt what is written). On SQLite the
    first statement takes the one write lock every worker waits for, so nothing is
    computed while it is held that could be computed before. A form sent twice
    is refused by the unique submission key when it is written, not by a
    lookup before. The rows are written by Core INSERTs of prepared values,
    not through the ORM's unit of work: a new request needs no object (about
    half of a door's CPU went to building, flushing and expiring one)."""
    submission_key = (
        keyring().lookup_key(SUBMISSION_PURPOSE, data.submission_id) if data.submission_id else None
    )
    code = return_codes.generate()
    now = clock.now()
    referral, referred = _referral_row(data.referral) if data.referral else (None, None)
    row: dict[str, object] = {
        "kind": data.kind,
        "status": IntakeStatus.NEW,
        "language": data.language,
        "municipality_id": data.municipality_id,
        "children_involved": data.children_involved,
        "danger_now": data.danger_now,
        "story": blank_to_none(data.story),
        "age_range": data.age_range if data.age_range in AGE_RANGES else None,
        "return_code_key": return_codes.lookup_key(code),
        "submission_key": submission_key,
        "name": blank_to_none(data.contact.name),
        **contact_columns(data.contact),
        "created_at": now,
        "feedback_after_triage": False,
        "feedback_after_closure": False,
        "priority": priority.static_priority(
            _Arriving(data.kind, data.danger_now, data.children_involved, now, referred)
        ),
    }
    # Anything of this session's not yet written goes first (a municipality
    # the request points at), as the ORM's flush of the request would.
    session.flush()
    insert_intake, insert_referral = _inserts()
    connection = session.connection()
    try:
        if keyring().centre_keys:
            # Her municipality's centre (for a referral: the client's), else
            # the default one, first: its keys encrypt (FJC_DATA_KEYS_<SLUG>).
            centre = centre_route(session, data.municipality_id)
            with encrypting_for(centre.slug):
                intake_id = connection.execute(
                    insert_intake, {**row, "centre_id": centre.id}
                ).scalar_one()
                if referral is not None:
                    connection.execute(insert_referral, {**referral, "intake_id": intake_id})
            centre_id = centre.id
        else:
            # Every centre's data under the installation's keys: the INSERT
            # finds the centre itself, one statement (a round trip) fewer.
            written = connection.execute(
                _routed_insert(tuple(row)),
                {**row, "route_municipality_id": data.municipality_id},
            ).first()
            if written is None:
                raise CentreMissing("no centre in the database: run `flask --app wsgi migrate`")
            intake_id, centre_id = written
            if referral is not None:
                connection.execute(insert_referral, {**referral, "intake_id": intake_id})
    except IntegrityError:
        session.rollback()
        # A double tap, a reload, or a concurrent copy of the same form that
        # won the race. Anything else (10^16 codes make a return-code
        # collision far rarer) is an error: nothing was stored or acknowledged.
        if submission_key and _stored(session, submission_key):
            raise AlreadySubmitted from None
        raise
    stored = Stored(
        id=intake_id,
        centre_id=centre_id,
        danger_now=data.danger_now,
        referral_urgency=referred.urgency if referred is not None else None,
    )
    return stored, code


def submit(session: Session, data: Submission) -> tuple[Intake, str]:
    """Store the request (`store`); return it as an object with its return
    code, for the code that goes on working with it."""
    stored, code = store(session, data)
    # With its referral (or none) loaded: read after the commit, it needs no
    # transaction of its own.
    intake = session.get(Intake, stored.id, options=[joinedload(Intake.referral)])
    assert intake is not None  # written in this transaction
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
