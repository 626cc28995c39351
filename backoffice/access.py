"""Deny by default: each staff view declares the permission it needs.

The check runs before every request to the blueprint, so a view that forgot
its declaration is refused at run time, and a test walking the URL map fails.
It also ends sessions: idle for 30 minutes, 12 hours old, ended on the server
(sign-out, sign out everywhere), or outlived by the account (deactivated,
password changed, second factor reset).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _

from core.governance import audit
from core.identity import staff_sessions, two_factor
from core.identity.permissions import Permission, role_allows
from core.infra import clock
from core.model import Staff
from web.db import db
from web.i18n import STAFF_LANGUAGE_KEY

PERMISSION_ATTR = "fjc_permission"
View = TypeVar("View", bound=Callable)


def requires(permission: Permission) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        setattr(view, PERMISSION_ATTR, permission)
        return view

    return decorate


def declared_permission(view: Callable) -> Permission | None:
    return getattr(view, PERMISSION_ATTR, None)


def _stamp(at: datetime) -> int:
    return int(at.timestamp())


def _from_stamp(value) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int) else None


def _fresh_session() -> None:
    """An empty session, but for the language the person chose: a planted id
    must not survive, a choice of language may."""
    language = session.get(STAFF_LANGUAGE_KEY)
    session.clear()
    if language:
        session[STAFF_LANGUAGE_KEY] = language


def sign_in(staff: Staff, token: str) -> None:
    # A fresh session at sign-in: nothing from before it (a planted id) survives.
    _fresh_session()
    session["staff_id"] = staff.id
    session["staff_version"] = staff.session_version
    session["sid"] = token
    session["seen"] = _stamp(clock.now())


def sign_out() -> None:
    _fresh_session()


def begin_pending(staff: Staff, *, must_enrol: bool) -> None:
    """The password was right; the second factor is still to come (not signed in)."""
    _fresh_session()
    session["pending_staff_id"] = staff.id
    session["pending_version"] = staff.session_version
    session["pending_at"] = _stamp(clock.now())
    session["must_enrol"] = must_enrol


def pending_staff(*, must_enrol: bool) -> Staff | None:
    """The account between password and second factor, for at most 5 minutes."""
    started = _from_stamp(session.get("pending_at"))
    if started is None or session.get("must_enrol") is not must_enrol:
        return None
    if clock.now() - started > staff_sessions.PENDING_TIMEOUT:
        _fresh_session()
        return None
    staff = db.session.get(Staff, session.get("pending_staff_id"))
    if (
        staff is None
        or not staff.is_active
        or staff.session_version != session.get("pending_version")
    ):
        _fresh_session()
        return None
    return staff


def _signed_in_staff() -> Staff | None:
    staff_id, token = session.get("staff_id"), session.get("sid")
    seen = _from_stamp(session.get("seen"))
    if staff_id is None:
        return None
    staff = db.session.get(Staff, staff_id)
    live = staff_sessions.find_live(db.session, token, staff_id) if token and staff else None
    at = clock.now()
    if (
        staff is None
        or live is None
        or seen is None
        or not staff.is_active
        or staff.session_version != session.get("staff_version")
        or (
            current_app.config["FJC_REQUIRE_SECOND_FACTOR"]
            and not two_factor.has_second_factor(staff)
        )
    ):
        _fresh_session()
        return None
    if staff_sessions.is_expired(live.created_at, seen, at):
        _fresh_session()
        flash(_("You were signed out because the session ran out. Please sign in again."))
        return None
    session["seen"] = _stamp(at)
    return staff


def enforce_permission():
    view = current_app.view_functions.get(request.endpoint or "")
    permission = declared_permission(view) if view else None
    if permission is None:
        abort(403)
    g.staff = _signed_in_staff()
    if permission is Permission.PUBLIC:
        return None
    if g.staff is None:
        return redirect(url_for("backoffice.login"))
    if not role_allows(g.staff.role, permission):
        abort(403)
    return None


def record_read(
    action: str,
    *,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Audit that the signed-in staff member read something. A GET has no write
    transaction of its own (reads do not lock SQLite), so this opens one."""
    with db.writing() as writer:
        audit.record(
            writer,
            action,
            actor_id=g.staff.id,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        )
