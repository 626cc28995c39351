"""Access requests (GDPR art. 15): a named person asks for a copy of what the
centre holds about them. Staff choose which records are that person's, the
product lists every piece it holds (an item) with a proposal to release or
withhold it, staff decide each item, and a second coordinator approves before
any copy can be made.

An item names its piece of data by table, row id and field, never by value:
the copy reads the value when it is made. Its fingerprint (a keyed hash of
the value reviewed) tells a value that changed after the review, which is
then left out of the copy rather than released unseen.

Items go when the record they point at is erased; an answered request goes
FJC_ACCESS_REQUEST_RETENTION_DAYS after its answer (core.governance.rights.
forgetting, core.governance.retention)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.infra.crypto import EncryptedJSON, EncryptedText
from core.model.base import Base, UTCDateTime, utcnow


class AccessStatus(StrEnum):
    # Registered: the person's name, date and identity check; records not chosen yet.
    DRAFT = "draft"
    # Records chosen and gathered: each item carries a proposal staff review.
    PROPOSED = "proposed"
    # Sent for approval: a coordinator other than the one who sent it approves.
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    # The copy was given to the person.
    RELEASED = "released"
    # Not answered with a copy (identity not confirmed, manifestly unfounded).
    REFUSED = "refused"


class ItemDecision(StrEnum):
    RELEASE = "release"
    WITHHOLD = "withhold"


class AccessRequest(Base):
    __tablename__ = "access_requests"
    # The open requests of one centre, soonest deadline first (the rights
    # page and the home page's count).
    __table_args__ = (
        Index("ix_access_requests_centre_id_status", "centre_id", "status", "deadline_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    status: Mapped[str] = mapped_column(String(20), default=AccessStatus.DRAFT)
    # The name the person gave, as staff typed it. Emptied, with the identity
    # note and the chosen rows, once an answered request's records are all
    # erased (core.governance.rights.forgetting): it then names nobody.
    subject_name: Mapped[str | None] = mapped_column(EncryptedText)
    # The records staff found to be this person's: {"people": [case_people.id],
    # "intakes": [intakes.id]}. Encrypted: it says who asked about what.
    subject_rows: Mapped[dict | None] = mapped_column(EncryptedJSON)
    # Whether any chosen row is a person causing harm: the proposals then
    # withhold everything about the victim (core.governance.rights.redaction).
    causes_harm: Mapped[bool | None] = mapped_column(Boolean)
    received_on: Mapped[date] = mapped_column(Date)
    # One month after receipt (art. 12(3)); stored so lists sort and count on it.
    deadline_on: Mapped[date] = mapped_column(Date)
    # How the person's identity was checked: a code of
    # core.governance.rights.access.IDENTITY_CHECKS, and a note in words.
    identity_check: Mapped[str] = mapped_column(String(24))
    identity_note: Mapped[str | None] = mapped_column(EncryptedText)
    # The language of the copy (one of the back office's: nl, fr, en).
    language: Mapped[str] = mapped_column(String(8))
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    gathered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Never the one who registered or sent it for approval (four eyes).
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A code of core.governance.rights.access.REFUSAL_REASONS.
    refusal_reason: Mapped[str | None] = mapped_column(String(30))

    items: Mapped[list[AccessItem]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="AccessItem.id"
    )


class AccessItem(Base):
    """One piece of data the copy may hold: a field of a row (a request's
    story, a person's phone, one answer of a risk assessment)."""

    __tablename__ = "access_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id"), index=True)
    # Where the value lives: a table name and a row id, and the field (a
    # column, a safety plan's section, a risk item's code).
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(60))
    # The category of data it is, for the copy (core.governance.rights.access.CATEGORIES).
    category: Mapped[str] = mapped_column(String(30))
    # Where the data came from (art. 15(1)(g)): a code of access.SOURCES.
    origin: Mapped[str] = mapped_column(String(20))
    # Which case file or request it belongs to, for the review page's headings.
    case_id: Mapped[int | None] = mapped_column(Integer)
    intake_id: Mapped[int | None] = mapped_column(Integer)
    proposed: Mapped[str] = mapped_column(String(10))
    # Why to withhold it: a code of core.governance.rights.redaction.REASONS.
    proposed_reason: Mapped[str | None] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(30))
    # Set when a coordinator changed the proposal.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Keyed hash of the value as it was gathered (never the value).
    fingerprint: Mapped[str] = mapped_column(String(64))

    request: Mapped[AccessRequest] = relationship(back_populates="items")
