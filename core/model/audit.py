"""The audit trail: one append-only row per event, chained by hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.model.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Append-only; each row carries the hash of the one before it."""

    __tablename__ = "audit_events"
    # A centre's audit page: its events, newest first.
    __table_args__ = (Index("ix_audit_events_centre_id_id", "centre_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A plain number, no foreign key, like centre_id: the accounts of a centre
    # that leaves the network are deleted (erase-centre), their events stay.
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # The centre whose record or page the event is about; None for events of
    # the installation (a CLI run, an anchor). A plain number, no foreign key:
    # the trail outlives a centre that leaves the network (erase-centre).
    centre_id: Mapped[int | None] = mapped_column(Integer)
    # Never personal data: identifiers and outcomes only.
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
