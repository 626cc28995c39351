"""The survivor's voice: anonymous feedback on the service.

A feedback row is unlinkable by design: it holds no request, case file, staff
member, return code or time finer than the month. Its id is random, so not
even the order of the rows tells which answer came after which. Whether a
request was already asked is a flag on the request (Intake.feedback_*), kept
apart from the answers."""

from __future__ import annotations

import secrets

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.crypto import EncryptedText
from core.model.base import Base


def _random_id() -> str:
    return secrets.token_hex(16)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    # The centre's month the answer was given in ("2026-12"): never the day.
    month: Mapped[str] = mapped_column(String(7), index=True)
    # "after_triage" or "after_closure" (core.casework.feedback).
    moment: Mapped[str] = mapped_column(String(20))
    door: Mapped[str] = mapped_column(String(20))
    track: Mapped[str | None] = mapped_column(String(20))
    # One answer code per question (core.casework.feedback.QUESTIONS), or None.
    felt_safe: Mapped[str | None] = mapped_column(String(12))
    told_again: Mapped[str | None] = mapped_column(String(12))
    listened_to: Mapped[str | None] = mapped_column(String(12))
    got_help: Mapped[str | None] = mapped_column(String(12))
    tell_a_friend: Mapped[str | None] = mapped_column(String(12))
    free_text: Mapped[str | None] = mapped_column(EncryptedText)
