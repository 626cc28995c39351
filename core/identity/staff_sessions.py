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
from typing import TypeVar

from sqlalchemy import Integer, Select, String, bindparam, delete, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from core.infra.crypto import keyring
from core.model import Centre, Staff, StaffCentre, StaffSession
from core.talk.waiting import waiting_now

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
    works for (home centre first, then by name, as core.network.centres.centres_of);
    with `waiting`, how many wait to talk at each of them (core.talk.waiting),
    read in the same statement."""

    staff: Staff
    started_at: datetime
    centres: list[Centre]
    waiting: dict[int, int] | None = None


# Staff's columns the check reads (all but the TOTP secret: it would be
# decrypted for nothing; the sign-in code step reads it) and Centre's.
# The id first: _persistent finds the object by it.
_STAFF_KEYS = (
    "id",
    *(a.key for a in sa_inspect(Staff).column_attrs if a.key not in ("id", "totp_secret")),
)
_CENTRE_KEYS = ("id", *(a.key for a in sa_inspect(Centre).column_attrs if a.key != "id"))
_STAFF_AT = 1
_CENTRE_AT = _STAFF_AT + len(_STAFF_KEYS)
_WAITING_AT = _CENTRE_AT + len(_CENTRE_KEYS)


# Every signed-in request runs it: built once per shape (SQLAlchemy's building
# of the statement cost as much as running it), the token's key and the
# account bound. Columns, not entities: the ORM's handling of a result (its
# loaders, made again on every run) cost about as much as the statement; the
# two objects are made from the row (_persistent).
@lru_cache(maxsize=2)
def _signed_in_query(with_waiting: bool) -> Select:
    staff_id = bindparam("signed_in_staff_id", type_=Integer)
    memberships = select(StaffCentre.centre_id).where(StaffCentre.staff_id == staff_id)
    columns = [
        StaffSession.created_at,
        *(getattr(Staff, key) for key in _STAFF_KEYS),
        *(getattr(Centre, key) for key in _CENTRE_KEYS),
    ]
    if with_waiting:
        columns.append(waiting_now(Centre.id).scalar_subquery())
    return (
        select(*columns)
        .select_from(Staff)
        .join(StaffSession, StaffSession.staff_id == Staff.id)
        .join(Centre, (Centre.id == Staff.centre_id) | Centre.id.in_(memberships))
        .where(
            Staff.id == staff_id,
            StaffSession.token_key == bindparam("signed_in_token_key", type_=String),
            StaffSession.ended_at.is_(None),
        )
    )


_Loaded = TypeVar("_Loaded", Staff, Centre)


def _persistent(session: Session, cls: type[_Loaded], keys: tuple[str, ...], values) -> _Loaded:
    """The row's object in the session, as the ORM's loading would give it:
    the one the session holds already (left as it is, as the ORM leaves it),
    else a new one holding the row's values as loaded state, so that a change
    to it is flushed like any other; what the row lacks (the TOTP secret, the
    relationships) is expired, so it is loaded when first read."""
    mapper = cls.__mapper__
    found = session.identity_map.get(mapper.identity_key_from_primary_key((values[0],)))
    if found is not None:
        return found
    made = mapper.class_manager.new_instance()
    # As the ORM's loader does: the values straight into the instance's dict;
    # then they count as loaded, the rest as expired, and the session adopts it.
    instance_dict(made).update(zip(keys, values, strict=True))
    make_transient_to_detached(made)
    session.add(made)
    return made


def find_signed_in(
    session: Session, token: str, staff_id: int, *, with_waiting: bool = False
) -> SignedIn | None:
    """The account of this token's session if the session has not been
    ended, with its centres, in one query (one row per centre): every signed-in
    request asks. The TOTP secret is left in the row (it would be decrypted for
    nothing; the sign-in code step reads it)."""
    # On the session's connection, without the ORM's execute: what the
    # session holds unwritten is written first, as that execute would.
    session.flush()
    rows = (
        session.connection()
        .execute(
            _signed_in_query(with_waiting),
            {"signed_in_staff_id": staff_id, "signed_in_token_key": _key(token)},
        )
        .all()
    )
    if not rows:
        return None
    staff = _persistent(session, Staff, _STAFF_KEYS, rows[0][_STAFF_AT:_CENTRE_AT])
    centres = sorted(
        (_persistent(session, Centre, _CENTRE_KEYS, row[_CENTRE_AT:_WAITING_AT]) for row in rows),
        key=lambda c: (c.id != staff.centre_id, c.name.casefold()),
    )
    return SignedIn(
        staff=staff,
        started_at=rows[0][0],
        centres=centres,
        waiting={row[_CENTRE_AT]: row[_WAITING_AT] for row in rows} if with_waiting else None,
    )


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
