"""Requests from the portal, their messages and their triage."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    column,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from core.infra.crypto import EncryptedJSON, EncryptedText
from core.model.base import Base, UTCDateTime, utcnow
from core.model.network import Municipality


class IntakeKind(StrEnum):
    CONTACT = "contact"
    QUESTION = "question"
    REFERRAL = "referral"
    # The door for young people (about 12 to 17): /<lang>/young.
    YOUNG = "young"
    # Through "Talk now" (/<lang>/talk): a live conversation with its
    # transcript, a message left when nobody was there, or a booked call-back.
    CONVERSATION = "conversation"


class IntakeStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    CONTACT_ATTEMPTED = "contact_attempted"
    # Track 2 or 3 was chosen: the request waits for its joint case file.
    DECIDED = "decided"
    CLOSED = "closed"
    # The requester deleted it: the personal data are gone, the row stays for figures.
    ERASED = "erased"


# The statuses of a request that still waits for the team: the queue's.
OPEN_STATUSES = (IntakeStatus.NEW, IntakeStatus.IN_PROGRESS, IntakeStatus.CONTACT_ATTEMPTED)
# The same as SQL literals, written into a statement's text when it is compiled
# (once; never bound): for the index of open requests below and the queue's
# statement (core/intake/queue.py), whose condition SQLite must find written
# as the index's to see that the index applies. They are the code's constants.
OPEN_STATUS_LITERALS = tuple(literal_column(f"'{status}'", String()) for status in OPEN_STATUSES)
_OPEN_SQL = column("status").in_(OPEN_STATUS_LITERALS)


class MessageDirection(StrEnum):
    FROM_REQUESTER = "from_requester"
    FROM_STAFF = "from_staff"


class Intake(Base):
    """A request that reached the centre through one of the portal's doors."""

    __tablename__ = "intakes"
    # The queue of one centre: its open requests among the network's years of
    # closed ones (bench/scale.py). Leads with the centre, so it also serves
    # every other "this centre's requests".
    # ix_intakes_open: the open requests only, per centre. Without it, SQLite's
    # statistics (ANALYZE, at every `migrate`) say only that a centre's
    # requests have two statuses or so, a thousand rows each; the few open
    # ones among years of closed ones look like most of them, and SQLite read
    # every request of the centre for the queue (0.38 ms for 2,100 requests,
    # against 0.25). Its own statistics count the open requests.
    __table_args__ = (
        Index("ix_intakes_centre_id_status", "centre_id", "status"),
        Index("ix_intakes_open", "centre_id", sqlite_where=_OPEN_SQL, postgresql_where=_OPEN_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    kind: Mapped[str] = mapped_column(String(20))
    # No index of its own: every query that picks requests by status names
    # the centre (ix_intakes_centre_id_status).
    status: Mapped[str] = mapped_column(String(20), default=IntakeStatus.NEW)
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
    # A young person's way to us through an adult they trust or their school:
    # who, and how to reach them, in their own words.
    trusted_adult: Mapped[str | None] = mapped_column(EncryptedText)
    # A young person's age range: "under_12", "12_13", "14_15", "16_17", "not_said".
    age_range: Mapped[str | None] = mapped_column(String(12))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    # "yes", "no" or "unknown"; None when not asked or not answered.
    children_involved: Mapped[str | None] = mapped_column(String(8))
    danger_now: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A call-back she booked through "Talk now": the queue shows it at its time.
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    # The person answered or declined the feedback invitation of that moment.
    # Only these flags know a request was asked; the answers (Feedback) do not.
    feedback_after_triage: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    feedback_after_closure: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

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
    # From the requester: when a team member marked it read. From the team:
    # when the requester first saw it in her mailbox (the first contact, if
    # nobody had reached her before: core.intake.mailbox.replies_read).
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    intake: Mapped[Intake] = relationship(back_populates="messages")


class TriageOutcome(StrEnum):
    TRACK_1 = "track_1"  # advice, consultation, referral to regular services
    TRACK_2 = "track_2"  # outreaching trajectory by a case director
    TRACK_3 = "track_3"  # chain approach with a joint risk assessment
    OUT_OF_SCOPE = "out_of_scope"  # referred to the right service
    COULD_NOT_REACH = "could_not_reach"
    # A child or young person referred to the Vertrouwenscentrum Kindermishandeling.
    REFERRED_VK = "referred_vk"


class ContactAttempt(Base):
    """One try to reach a person: how, with what result, and whether it was safe."""

    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    # The attempt was outside the rules the person gave: outside their safe
    # times, or by a channel they did not allow. It is recorded all the same
    # (an honest record), flagged, and counted in the figures.
    outside_safe_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    channel_not_allowed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactRulesChange(Base):
    """What a person's safe-contact rules were before staff changed them (on the
    case file): the rules are one record, and its history is kept with it."""

    __tablename__ = "contact_rules_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The rules before the change, as core.intake.contact_rules.ContactRules.as_dict.
    previous: Mapped[dict] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TriageDecision(Base):
    __tablename__ = "triage_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    # Track 1 and out of scope: the service the person was referred to.
    referred_to: Mapped[str | None] = mapped_column(EncryptedText)
    # Referred to the Vertrouwenscentrum Kindermishandeling: on which day.
    referred_on: Mapped[date | None] = mapped_column(Date)
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
