"""The centres of the network and the municipalities they serve."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false, true

from core.infra.crypto import EncryptedText
from core.model.base import Base, UTCDateTime, utcnow


class Centre(Base):
    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    # Whether the portal mailbox tells the person which partner organisations
    # read which parts of her case file, and when ("show_partner_reads").
    show_partner_reads: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # From the centre file (FJC_CENTRE_FILE), refreshed at every `migrate`.
    # The neutral title a browser tab shows once the portal knows the centre.
    site_title: Mapped[str | None] = mapped_column(String(60))
    # {"mon": ["09:00-12:00", "13:00-17:00"], ...}: when the team is there.
    opening_hours: Mapped[dict | None] = mapped_column(JSON)
    first_contact_target_hours: Mapped[int | None] = mapped_column(Integer)
    # Requests with no municipality (or one no centre serves) go here.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A centre no longer in the file keeps its rows but takes no new requests.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Municipality(Base):
    """The municipalities a centre serves: data (data/centre.json), not code."""

    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffCentre(Base):
    """A staff member's membership of a centre besides their home centre
    (Staff.centre_id): someone who works for two centres switches between
    them explicitly, and every page says which one it is."""

    __tablename__ = "staff_centres"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TransferStatus:
    # The holder's coordinator sent it; the receiving centre has not answered.
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    # Another centre asked the holder to send it (after "known at another centre").
    ASKED = "asked"
    ALL = (PENDING, ACCEPTED, DECLINED, ASKED)


class CentreTransfer(Base):
    """A request or a case file moving from one centre of the network to another.

    centre_id is the centre that holds the record when the transfer is made
    (it sends); to_centre_id the one that receives it. After acceptance the
    sending centre keeps this row as its only trace: the kind, the date and
    where it went. The reason is encrypted and shown to the receiving centre."""

    __tablename__ = "centre_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    to_centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=TransferStatus.PENDING)
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the other side said no (optional), shown to the centre that asked
    # or sent; encrypted like the reason.
    decline_reason: Mapped[str | None] = mapped_column(EncryptedText)
