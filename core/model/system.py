"""Rows the installation keeps about itself, never about a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.crypto import EncryptedText
from core.model.base import Base, UTCDateTime, utcnow


class KeyCanary(Base):
    """A known text under the data keys and its keyed hash under the index key.

    Written once, by the first start on an empty database; every later start
    and /healthz check that the configured keys still open it
    (core.governance.key_check). Key rotation re-encrypts it like any field."""

    __tablename__ = "key_canaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    sealed: Mapped[str] = mapped_column(EncryptedText)
    index_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A centre with data keys of its own (FJC_DATA_KEYS_<SLUG>) has canaries
    # of its own, under its keys; None: the installation's (FJC_DATA_KEYS).
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))


class HealthWrite(Base):
    """One row /healthz rewrites: a database that can no longer take a write
    (a full disk, a read-only replica) makes the instance unhealthy."""

    __tablename__ = "health_writes"

    id: Mapped[int] = mapped_column(primary_key=True)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
