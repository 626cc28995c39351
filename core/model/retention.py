"""Retention that staff can see: legal holds that stop the purge, and the
trace each purge leaves.

A hold stops the purge of one case file or one request, says why (encrypted:
the reason may name people or a court case) and when it must be looked at
again. It is lifted, not deleted, so who held what and for how long stays
answerable. Case files and requests have a table of holds each, hanging from
the record like its other rows: a transfer, a centre's export or erasure and
a key rotation then take the holds along with the record
(core.network.centre_rows), and a hold always names exactly one record.

A trace counts what one purge batch erased for a centre, by month and by
kind or track only: no record id, no day, nothing that leads back to a
person."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.crypto import EncryptedText
from core.model.base import Base, UTCDateTime, utcnow


class _Hold:
    """What every legal hold holds, whatever record it stops."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Required when placed; emptied when the record is erased at last.
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    review_on: Mapped[date] = mapped_column(Date)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseHold(_Hold, Base):
    __tablename__ = "case_holds"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)


class IntakeHold(_Hold, Base):
    __tablename__ = "intake_holds"

    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)


class PurgedRecord(StrEnum):
    """What a trace counts: the purge's kinds of record."""

    REQUEST = "request"
    CASE_FILE = "case_file"
    FEEDBACK = "feedback"
    # An answered access request (GDPR art. 15) whose time is up.
    ACCESS_REQUEST = "access"


class PurgeTrace(Base):
    """How many records of one kind (a request's door, a case file's track)
    one purge batch erased for a centre, in a month."""

    __tablename__ = "purge_traces"
    __table_args__ = (Index("ix_purge_traces_centre_id_month", "centre_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    # "2027-06" (UTC): never the day, which the stripped record would match.
    month: Mapped[str] = mapped_column(String(7))
    record: Mapped[str] = mapped_column(String(12))
    # A request's kind ("young"), a case file's track ("track_3"); "" for feedback.
    category: Mapped[str] = mapped_column(String(20), default="")
    erased: Mapped[int] = mapped_column(Integer)
