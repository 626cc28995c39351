"""The data model (SQLAlchemy 2, typed). Personal data and free text use
EncryptedText; every row that belongs to a centre carries centre_id, so several
centres can share one installation later without a data migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator

from core.infra import clock
from core.infra.crypto import EncryptedJSON, EncryptedText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    # Late-bound on purpose: tests move core.infra.clock.now, and a default
    # bound to the function object at import would keep reading the real time.
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IntakeKind(StrEnum):
    CONTACT = "contact"
    QUESTION = "question"
    REFERRAL = "referral"


class IntakeStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    CONTACT_ATTEMPTED = "contact_attempted"
    # Track 2 or 3 was chosen: the request waits for its joint case file.
    DECIDED = "decided"
    CLOSED = "closed"
    # The requester deleted it: the personal data are gone, the row stays for figures.
    ERASED = "erased"


class MessageDirection(StrEnum):
    FROM_REQUESTER = "from_requester"
    FROM_STAFF = "from_staff"


class Role(StrEnum):
    CASE_DIRECTOR = "case_director"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Centre(Base):
    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Municipality(Base):
    """The municipalities a centre serves: data (data/centre.json), not code."""

    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    # Work addresses of staff, stored plainly so sign-in can find them.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to end every session of this account (password change, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Second factor (TOTP). The secret is encrypted; the factor counts only once
    # confirmed with a code. The last used time step makes each code single-use.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    centre: Mapped[Centre] = relationship()


class Intake(Base):
    """A request that reached the centre through one of the portal's doors."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=IntakeStatus.NEW, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # The portal language the request was written in.
    language: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    # Safe contact. None means the person did not say: treat it as "no".
    may_call: Mapped[bool | None] = mapped_column(Boolean)
    may_text: Mapped[bool | None] = mapped_column(Boolean)
    may_voicemail: Mapped[bool | None] = mapped_column(Boolean)
    phone_say_who: Mapped[bool | None] = mapped_column(Boolean)
    email_say_who: Mapped[bool | None] = mapped_column(Boolean)
    # Comma-separated codes: days "mon".."sun", times "morning", "afternoon", "evening".
    safe_days: Mapped[str | None] = mapped_column(String(40))
    safe_times: Mapped[str | None] = mapped_column(String(40))
    safe_word: Mapped[str | None] = mapped_column(EncryptedText)
    contact_language: Mapped[str | None] = mapped_column(String(8))
    interpreter_needed: Mapped[bool | None] = mapped_column(Boolean)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    # "yes", "no" or "unknown"; None when not asked or not answered.
    children_involved: Mapped[str | None] = mapped_column(String(8))
    danger_now: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    story: Mapped[str | None] = mapped_column(EncryptedText)
    # Blind indexes (keyed hashes of normalised values) for matching without decrypting.
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    # HMAC of the return code: the code itself is shown once and never stored.
    return_code_key: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC of the form's one-time submission id, so a resent form is not a new request.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Triage: who took it, and what was decided (see core/intake/triage.py).
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest triage outcome (TriageOutcome); the full history is in triage_decisions.
    outcome: Mapped[str | None] = mapped_column(String(20))

    municipality: Mapped[Municipality | None] = relationship()
    referral: Mapped[Referral | None] = relationship(
        back_populates="intake", cascade="all, delete-orphan", uselist=False
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="intake", cascade="all, delete-orphan", order_by="Message.id"
    )


class Referral(Base):
    """What a professional adds when they refer someone (door 3)."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), unique=True)
    organisation: Mapped[str] = mapped_column(EncryptedText)
    role: Mapped[str | None] = mapped_column(EncryptedText)
    name: Mapped[str] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    # The client is best reached through the referrer, not directly.
    contact_via_referrer: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # "agrees" (the client knows and agrees) or "no_consent".
    client_consent: Mapped[str] = mapped_column(String(20))
    # Without consent: "danger" (acute danger) or "case_consultation" (art. 458ter).
    legal_basis: Mapped[str | None] = mapped_column(String(20))
    basis_note: Mapped[str | None] = mapped_column(EncryptedText)
    risk_concerns: Mapped[list[str] | None] = mapped_column(EncryptedJSON)
    risk_text: Mapped[str | None] = mapped_column(EncryptedText)
    # "today", "this_week" or "normal".
    urgency: Mapped[str] = mapped_column(String(12))

    intake: Mapped[Intake] = relationship(back_populates="referral")


class Message(Base):
    """The portal mailbox: what the requester and the team write to each other."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(EncryptedText)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For messages from the requester: when a team member marked it read.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    intake: Mapped[Intake] = relationship(back_populates="messages")


class AuditEvent(Base):
    """Append-only; each row carries the hash of the one before it."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # Never personal data: identifiers and outcomes only.
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class StaffSession(Base):
    """A signed-in session, so sign-out ends it on the server and not only in the browser.

    The cookie carries a random token; only its keyed hash is stored. No address
    or browser details are kept.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    token_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(Base):
    """One-time codes for when the authenticator is lost; stored as keyed hashes."""

    __tablename__ = "staff_recovery_codes"
    __table_args__ = (UniqueConstraint("staff_id", "code_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    code_key: Mapped[str] = mapped_column(String(64))


class LoginThrottle(Base):
    """Failed sign-in attempts per e-mail, keyed by a keyed hash of the normalised
    address: unknown addresses are throttled the same way, and nothing personal
    is stored."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TriageOutcome(StrEnum):
    TRACK_1 = "track_1"  # advice, consultation, referral to regular services
    TRACK_2 = "track_2"  # outreaching trajectory by a case director
    TRACK_3 = "track_3"  # chain approach with a joint risk assessment
    OUT_OF_SCOPE = "out_of_scope"  # referred to the right service
    COULD_NOT_REACH = "could_not_reach"


class ContactAttempt(Base):
    """One try to reach a person: how, with what result, and whether it was safe."""

    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    # Recorded although outside the person's safe times, or by a channel they did
    # not allow, after the staff member confirmed it was safe (e.g. they asked).
    outside_safe_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    channel_not_allowed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TriageDecision(Base):
    __tablename__ = "triage_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    # Track 1 and out of scope: the service the person was referred to.
    referred_to: Mapped[str | None] = mapped_column(EncryptedText)
    note: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntakeStatusChange(Base):
    """Every status change with its time, so the centre can measure the time to
    first contact and to a decision without reading any request."""

    __tablename__ = "intake_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntakeLink(Base):
    """Two requests from the same person, linked by staff after a match."""

    __tablename__ = "intake_links"
    __table_args__ = (UniqueConstraint("intake_id", "linked_intake_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    linked_intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Case(Base):
    """The joint case file ("gezamenlijk dossier") that partners work from."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("centre_id", "year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    # "2026-0042": the number people say on the phone and in meetings.
    number: Mapped[str] = mapped_column(String(16), unique=True)
    track: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.OPEN, index=True)
    director_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    closure_note: Mapped[str | None] = mapped_column(EncryptedText)
    # Set by the retention purge: the file's personal content is gone; the row
    # keeps track, dates, closure reason and people's roles for the figures.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    intakes: Mapped[list[Intake]] = relationship(
        secondary="case_intakes", order_by="Intake.created_at"
    )
    people: Mapped[list[CasePerson]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CasePerson.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id.desc()"
    )


class CaseIntake(Base):
    """The requests a case was opened from: one request belongs to one case."""

    __tablename__ = "case_intakes"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), primary_key=True, unique=True)


class CasePerson(Base):
    __tablename__ = "case_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # victim, child, other_adult, person_causing_harm
    role: Mapped[str] = mapped_column(String(24))
    name: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    # How to reach this person safely, in words (carried over from the request).
    contact_safety: Mapped[str | None] = mapped_column(EncryptedText)
    # Staff must not contact this person directly (e.g. the person causing harm
    # while the victim is still at home): only through the case director or police.
    no_direct_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Children: the year of birth (the age follows from it) and the school, day
    # care or other care contacts the partners may need to reach.
    birth_year: Mapped[int | None] = mapped_column(Integer)
    school_contacts: Mapped[str | None] = mapped_column(EncryptedText)
    notes: Mapped[str | None] = mapped_column(EncryptedText)

    case: Mapped[Case] = relationship(back_populates="people")


class CaseMember(Base):
    """Staff invited into a case besides its case director: access is decided per
    case, not per role, so partners can be added the same way later."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEvent(Base):
    """The case's timeline: what happened, when, by whom. No personal data in
    `action`; a short free-text detail is encrypted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")


class RiskAssessment(Base):
    """One risk assessment of a case with an instrument (data/instruments). Kept
    for good: a reassessment adds a row, so the history shows how risk moved."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(40))
    instrument_version: Mapped[int] = mapped_column(Integer)
    # {item code: {"answer": yes|no|unknown, "source": victim|professional|file|None}}
    answers: Mapped[dict] = mapped_column(EncryptedJSON)
    score: Mapped[int] = mapped_column(Integer)
    computed_level: Mapped[str] = mapped_column(String(12))
    judged_level: Mapped[str] = mapped_column(String(12))
    final_level: Mapped[str] = mapped_column(String(12))
    judgement_reason: Mapped[str | None] = mapped_column(EncryptedText)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CasePartner(Base):
    """An organisation involved in a case (police zone, parket, CAW, ...) and the
    basis on which it may hear from the file: the client's consent for a scope,
    or a case consultation under art. 458ter Sw. Kept after a withdrawal, so the
    file shows who could see what, and until when."""

    __tablename__ = "case_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # police, prosecutor, caw, youth_care, mental_health, lawyer, doctor, school, other
    kind: Mapped[str] = mapped_column(String(24))
    organisation: Mapped[str] = mapped_column(EncryptedText)
    contact_name: Mapped[str | None] = mapped_column(EncryptedText)
    contact_details: Mapped[str | None] = mapped_column(EncryptedText)
    # consent, case_consultation
    basis: Mapped[str] = mapped_column(String(20))
    # What the client agreed may be shared: codes from core.casework.partners.PARTS.
    consent_scope: Mapped[list | None] = mapped_column(EncryptedJSON)
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseRelation(Base):
    """How two people in a case file are related: `person` is `kind` of `other`
    (e.g. "parent" of the child, "ex_partner" of the victim)."""

    __tablename__ = "case_relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)
    other_person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)
    # partner, ex_partner, parent, child, sibling, other_family, other
    kind: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafetyPlan(Base):
    """One version of a person's safety plan. Saving adds a row, so earlier
    versions stay readable; the newest row is the plan."""

    __tablename__ = "safety_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)
    # {section code: text}, e.g. warning_signs, safe_places, safe_people, ...
    content: Mapped[dict] = mapped_column(EncryptedJSON)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseConsultation(Base):
    """A case consultation ("casusoverleg"): when, who took part for which
    organisation, on what legal basis, and what was decided."""

    __tablename__ = "case_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    # art_458ter, consent
    legal_basis: Mapped[str] = mapped_column(String(24))
    # [{"name": ..., "organisation": ...}]
    participants: Mapped[list] = mapped_column(EncryptedJSON)
    # [text, ...] in the order they were taken
    decisions: Mapped[list] = mapped_column(EncryptedJSON)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseAction(Base):
    """One action in the case's action plan: what, who (a staff member or a
    partner), by when, and how far it is. Status codes carry no personal data,
    so the home page and the figures can count overdue actions cheaply."""

    __tablename__ = "case_actions"
    # "Overdue" is status open or in progress with a due date before today: the
    # home page and the figures ask it of every action, so one index serves both.
    __table_args__ = (Index("ix_case_actions_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    title: Mapped[str] = mapped_column(EncryptedText)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    owner_partner_id: Mapped[int | None] = mapped_column(ForeignKey("case_partners.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    # open, in_progress, done, cancelled
    status: Mapped[str] = mapped_column(String(12), default="open")
    # Set when the action came from a decision of a case consultation.
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("case_consultations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
