"""Signed-in sessions: kept on the server so that sign-out really ends them.

The browser's (signed) cookie holds a random token; the table holds its keyed
hash. A session ends at sign-out, after 30 minutes without a request, 12 hours
after sign-in, and whenever the account is deactivated, its password changes or
its owner signs out everywhere (Staff.session_version).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Integer, Select, String, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session, defer

from core.infra.crypto import keyring
from core.model import Centre, Staff, StaffCentre, StaffSession

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Between a right password and the second factor: not a signed-in session.
PENDING_TIMEOUT = timedelta(minutes=5)


def _key(token: str) -> str:
    return keyring().lookup_key("staff-session", token)


def start(session: Session, staff: Staff, at: datetime) -> str:
    """A new session for the account; the token for the cookie."""
    session.execute(
        delete(StaffSession).where(
            StaffSession.staff_id == staff.id,
            or_(
                StaffSession.ended_at.is_not(None),
                StaffSession.created_at < at - ABSOLUTE_TIMEOUT,
            ),
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(staff_id=staff.id, token_key=_key(token), created_at=at))
    staff.last_login_at = at
    session.flush()
    return token


def is_expired(created_at: datetime, last_seen_at: datetime, at: datetime) -> bool:
    return at - last_seen_at > IDLE_TIMEOUT or at - created_at > ABSOLUTE_TIMEOUT


def find_live(session: Session, token: str, staff_id: int) -> StaffSession | None:
    """The session row for this token if it has not been ended."""
    return session.scalar(
        select(StaffSession).where(
            StaffSession.token_key == _key(token),
            StaffSession.staff_id == staff_id,
            StaffSession.ended_at.is_(None),
        )
    )


@dataclass(frozen=True)
class SignedIn:
    """A live session's account, when it began, and the centres the account
    works for (home centre first, then by name, as core.network.centres.centres_of)."""

    staff: Staff
    started_at: datetime
    centres: list[Centre]


# Every signed-in request runs it: built once (SQLAlchemy's building of the
# statement cost as much as running it), the token's key and the account bound.
@lru_cache(maxsize=1)
def _signed_in_query() -> Select:
    staff_id = bindparam("signed_in_staff_id", type_=Integer)
    memberships = select(StaffCentre.centre_id).where(StaffCentre.staff_id == staff_id)
    return (
        select(Staff, StaffSession.created_at, Centre)
        .join(StaffSession, StaffSession.staff_id == Staff.id)
        .join(Centre, (Centre.id == Staff.centre_id) | Centre.id.in_(memberships))
        .where(
            Staff.id == staff_id,
            StaffSession.token_key == bindparam("signed_in_token_key", type_=String),
            StaffSession.ended_at.is_(None),
        )
        .options(defer(Staff.totp_secret))
    )


def find_signed_in(session: Session, token: str, staff_id: int) -> SignedIn | None:
    """The account of this token's session if the session has not been
    ended, with its centres, in one query (one row per centre): every signed-in
    request asks. The TOTP secret is left in the row (it would be decrypted for
    nothing; the sign-in code step reads it)."""
    rows = session.execute(
        _signed_in_query(),
        {"signed_in_staff_id": staff_id, "signed_in_token_key": _key(token)},
    ).all()
    if not rows:
        return None
    staff, started_at = rows[0][0], rows[0][1]
    centres = sorted(
        (row[2] for row in rows), key=lambda c: (c.id != staff.centre_id, c.name.casefold())
    )
    return SignedIn(staff=staff, started_at=started_at, centres=centres)


def end(session: Session, token: str, at: datetime) -> None:
    session.execute(
        update(StaffSession).where(StaffSession.token_key == _key(token)).values(ended_at=at)
    )


def count_live(session: Session, staff: Staff, at: datetime) -> int:
    rows = session.scalars(
        select(StaffSession.created_at).where(
            StaffSession.staff_id == staff.id, StaffSession.ended_at.is_(None)
        )
    ).all()
    return sum(1 for created in rows if at - created <= ABSOLUTE_TIMEOUT)
