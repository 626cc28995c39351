"""Deny by default: each staff view declares the permission it needs.

The check runs before every request to the blueprint, so a view that forgot
its declaration is refused at run time, and a test walking the URL map fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for

from core.db import db
from core.models import Staff
from core.permissions import Permission, role_allows

PERMISSION_ATTR = "fjc_permission"
View = TypeVar("View", bound=Callable)


def requires(permission: Permission) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        setattr(view, PERMISSION_ATTR, permission)
        return view

    return decorate


def declared_permission(view: Callable) -> Permission | None:
    return getattr(view, PERMISSION_ATTR, None)


def sign_in(staff: Staff) -> None:
    # A fresh session at sign-in: nothing from before it (a planted id) survives.
    session.clear()
    session["staff_id"] = staff.id
    session["staff_version"] = staff.session_version


def sign_out() -> None:
    session.clear()


def _signed_in_staff() -> Staff | None:
    staff_id = session.get("staff_id")
    if staff_id is None:
        return None
    staff = db.session.get(Staff, staff_id)
    if (
        staff is None
        or not staff.is_active
        or staff.session_version != session.get("staff_version")
    ):
        session.clear()
        return None
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
