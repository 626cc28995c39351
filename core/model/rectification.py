"""Rectification, restriction and erasure on request (GDPR art. 16, 18, 17).

A correction keeps the value it replaced, with who, why and when: the record
shows what is true now, its history what was held before. A restriction keeps
a record stored but out of use (matching, figures, partner views) until it is
lifted. An erasure request records what a person asked and what the centre
did: erased with the existing erasure code, or refused on a legal ground.

Each row hangs from the record it is about (a request, a person in a case
file, a case file), so a transfer re-keys it and an erased centre loses it
(core.network.centre_rows); erasing the record removes what these rows hold
of the person (core.governance.rights.forgetting)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import cache

from sqlalchemy import Date, ForeignKey, Select, String, select, union
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.crypto import EncryptedText
from core.model.base import Base, UTCDateTime, utcnow
from core.model.casework import CasePerson


class _Correction:
    """What every correction keeps, whatever record it corrected."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The field's code (core.governance.rights.rectification.FIELDS).
    field: Mapped[str] = mapped_column(String(24))
    # What the field held before (None: it was empty); a year or a
    # municipality as text, as staff read it.
    old_value: Mapped[str | None] = mapped_column(EncryptedText)
    reason: Mapped[str] = mapped_column(EncryptedText)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonCorrection(_Correction, Base):
    """The value a field of a person in a case file held before a correction."""

    __tablename__ = "person_corrections"

    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)


class IntakeCorrection(_Correction, Base):
    """The value a field of a request held before a correction."""

    __tablename__ = "intake_corrections"

    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)


class _Restriction:
    """A record whose data may be stored but not used. In force while
    lifted_at is None; kept after lifting, as the record of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(EncryptedText)
    restricted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    restricted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    lift_reason: Mapped[str | None] = mapped_column(EncryptedText)


class PersonRestriction(_Restriction, Base):
    __tablename__ = "person_restrictions"

    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)


class IntakeRestriction(_Restriction, Base):
    __tablename__ = "intake_restrictions"

    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)


class ErasureStatus(StrEnum):
    OPEN = "open"
    ERASED = "erased"
    REFUSED = "refused"


class RefusalGround(StrEnum):
    """Why a centre may keep what a person asked it to erase (art. 17(3))."""

    LEGAL_OBLIGATION = "legal_obligation"
    PROTECTION_OF_OTHERS = "protection_of_others"
    LEGAL_CLAIMS = "legal_claims"
    PUBLIC_INTEREST = "public_interest"


class ErasureRequest(Base):
    """A person asked that a case file be erased: when, and what was done."""

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    # What was asked and how the person's identity was checked, in words.
    # Emptied when the file is erased: the person asked to be forgotten.
    request_note: Mapped[str | None] = mapped_column(EncryptedText)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default=ErasureStatus.OPEN)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A RefusalGround code, for a refusal only.
    refusal_ground: Mapped[str | None] = mapped_column(String(24))
    decision_note: Mapped[str | None] = mapped_column(EncryptedText)


# What a restriction blocks, as SQL every use of the data can ask. Here, in
# the model, because matching across centres (core.network) sits below the
# rights' rules (core.governance) and must ask the same question.
#
# A person carried over from a request (CasePerson.contact_intake_id) and
# that request are one person's one record: restricting either restricts both.
#
# Each is built once per process and shared: a statement, never its rows, so
# a restriction made or lifted is honoured by the very next query. Building
# one (a union, a join, a subquery) cost about 0.2 ms a time, three times a
# request's page; sharing one object also lets SQLAlchemy reuse its cache key.
# A Select is generative: every .where() on it or around it makes a copy.


@cache
def restricted_intake_ids() -> Select:
    """SQL: the ids of requests under a restriction in force."""
    direct = select(IntakeRestriction.intake_id).where(IntakeRestriction.lifted_at.is_(None))
    through_person = (
        select(CasePerson.contact_intake_id)
        .join(PersonRestriction, PersonRestriction.person_id == CasePerson.id)
        .where(PersonRestriction.lifted_at.is_(None), CasePerson.contact_intake_id.is_not(None))
    )
    return select(union(direct, through_person).subquery().c[0])


@cache
def restricted_person_ids() -> Select:
    """SQL: the ids of people in case files under a restriction in force."""
    direct = select(PersonRestriction.person_id).where(PersonRestriction.lifted_at.is_(None))
    through_request = (
        select(CasePerson.id)
        .join(IntakeRestriction, IntakeRestriction.intake_id == CasePerson.contact_intake_id)
        .where(IntakeRestriction.lifted_at.is_(None))
    )
    return select(union(direct, through_request).subquery().c[0])
