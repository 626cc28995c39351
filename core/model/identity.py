"""Accounts (the team's and partner members'), their organisations, sessions,
recovery codes and the sign-in throttle. A partner member is an account with
the role "partner" and an organisation: sign-in, throttling, lockout, sessions
and recovery are the same code for both (ADR 0031)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.infra.crypto import EncryptedText
from core.model.base import Base, UTCDateTime, utcnow
from core.model.network import Centre


class Role(StrEnum):
    CASE_DIRECTOR = "case_director"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    # A member of a partner organisation (police, CAW, school, ...): signs in
    # at /partner and sees only the case files its organisation works on.
    PARTNER = "partner"
    # Sees the figures of every centre side by side (/staff/network), never a
    # request, a case file or a name.
    NETWORK = "network"


class PartnerOrganisation(Base):
    """A partner organisation of a centre (police zone, parket, CAW, ...). Its
    name is an organisation's, not a person's: stored plainly so lists sort."""

    __tablename__ = "partner_organisations"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    # police, prosecutor, caw, youth_care, mental_health, lawyer, doctor, school, other
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
    # The language the person chose for the back office (nl, fr, en); None:
    # the browser's.
    language: Mapped[str | None] = mapped_column(String(5))
    # Partner members only: the organisation they work for.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id"), index=True
    )

    centre: Mapped[Centre] = relationship()
    organisation: Mapped[PartnerOrganisation | None] = relationship()


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
