"""Who is signed in on this face, kept in the face's own cookie (web.sessions)
and checked against the server-side session row on every request.

A session ends when idle for 30 minutes (at most a minute sooner: SEEN_STEP),
12 hours after sign-in, when ended
on the server (sign-out, sign out everywhere), or when the account outlives
it (deactivated, password changed, second factor reset). An account of the
other face is never signed in here, whatever the cookie says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.identity import staff_sessions, two_factor
from core.identity.organisations import is_partner
from core.infra import clock
from core.model import Staff
from web.accounts.face import Face
from web.db import READ_METHODS, db
from web.i18n import STAFF_LANGUAGE_KEY

# How far "seen" must have moved before it is written again. Rewriting it on
# every request changed the session, so every signed-in answer re-signed the
# cookie and sent it (Set-Cookie). With the step, the stored time lags the last
# request by less than SEEN_STEP: a session runs out between IDLE_TIMEOUT -
# SEEN_STEP and IDLE_TIMEOUT after its last request, never later.
SEEN_STEP = timedelta(minutes=1)


def _stamp(at: datetime) -> int:
    return int(at.timestamp())


def _from_stamp(value) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int) else None


def fresh_session() -> None:
    """An empty session, but for the language the person chose: a planted id
    must not survive, a choice of language may."""
    language = session.get(STAFF_LANGUAGE_KEY)
    session.clear()
    if language:
        session[STAFF_LANGUAGE_KEY] = language


def sign_in(staff: Staff, token: str) -> None:
    # A fresh session at sign-in: nothing from before it (a planted id) survives.
    fresh_session()
    session["staff_id"] = staff.id
    session["staff_version"] = staff.session_version
    session["sid"] = token
    session["seen"] = _stamp(clock.now())


def sign_out() -> None:
    fresh_session()


def begin_pending(staff: Staff, *, must_enrol: bool) -> None:
    """The password was right; the second factor is still to come (not signed in)."""
    fresh_session()
    session["pending_staff_id"] = staff.id
    session["pending_version"] = staff.session_version
    session["pending_at"] = _stamp(clock.now())
    session["must_enrol"] = must_enrol


def _of_face(face: Face, staff: Staff | None) -> bool:
    return staff is not None and staff.is_active and is_partner(staff) is face.partner


def pending_staff(face: Face, *, must_enrol: bool) -> Staff | None:
    """The account between password and second factor, for at most 5 minutes."""
    started = _from_stamp(session.get("pending_at"))
    if started is None or session.get("must_enrol") is not must_enrol:
        return None
    if clock.now() - started > staff_sessions.PENDING_TIMEOUT:
        fresh_session()
        return None
    staff = db.session.get(Staff, session.get("pending_staff_id"))
    if not _of_face(face, staff) or staff.session_version != session.get("pending_version"):
        fresh_session()
        return None
    return staff


def signed_in(face: Face) -> staff_sessions.SignedIn | None:
    """Who is signed in on this face (with their centres), or None; ends the
    session (and says so when it ran out) when it may not go on."""
    staff_id, token = session.get("staff_id"), session.get("sid")
    seen = _from_stamp(session.get("seen"))
    if staff_id is None:
        return None
    # One query on every request: the account, its live session, its centres.
    found = (
        staff_sessions.find_signed_in(db.session, token, staff_id, with_waiting=face.counts_waiting)
        if token
        else None
    )
    at = clock.now()
    if (
        found is None
        or not _of_face(face, found.staff)
        or seen is None
        or found.staff.session_version != session.get("staff_version")
        or (
            face.second_factor_required(current_app.config)
            and not two_factor.has_second_factor(found.staff)
        )
    ):
        fresh_session()
        return None
    if staff_sessions.is_expired(found.started_at, seen, at):
        fresh_session()
        flash(_("You were signed out because the session ran out. Please sign in again."))
        return None
    if at - seen >= SEEN_STEP:
        session["seen"] = _stamp(at)
    if found.waiting is not None:
        g.waiting_at_sign_in = _Waiting(found.waiting, db.session.get_transaction())
    return found


@dataclass(frozen=True)
class _Waiting:
    """How many waited to talk per centre, read with the sign-in check, and
    the transaction that read it."""

    by_centre: dict[int, int]
    transaction: object


# A flush writes in the request's transaction: what the sign-in check counted
# may no longer be what a count would find now.
FLUSHED = "fjc_flushed"


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    session.info[FLUSHED] = True


def waiting_to_talk(centre_id: int) -> int | None:
    """How many wait to talk at the centre as the sign-in check counted them,
    when a count now would find the same: a page that reads (GET, HEAD) in the
    very transaction that counted, which has written nothing since. None
    otherwise (count again): a page that committed (the talk page, after
    ending conversations) or wrote, or one that wants to write (POST)."""
    seen = g.get("waiting_at_sign_in")
    if seen is None or request.method not in READ_METHODS:
        return None
    session = db.session
    if (
        session.get_transaction() is not seen.transaction
        or session.info.get(FLUSHED)
        or session.new
        or session.dirty
        or session.deleted
    ):
        return None
    return seen.by_centre.get(centre_id)
