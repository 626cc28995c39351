"""An opened portal mailbox, kept on the server so that it can end there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.model.base import Base, UTCDateTime


class MailboxSession(Base):
    """The person's browser holds a random token; the server its keyed hash.
    Closing, the quick exit, 30 idle minutes or two hours end it for good, so
    a copied cookie opens nothing afterwards (core.intake.mailbox_sessions)."""

    __tablename__ = "mailbox_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_key: Mapped[str] = mapped_column(String(64), unique=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
