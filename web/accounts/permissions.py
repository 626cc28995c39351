"""Deny by default, for every professional face: each view declares the one
permission it needs; a view that declares none is refused at run time, and a
test walking the URL map fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, g, redirect, request

from core.identity.permissions import Permission, role_allows
from web.accounts.centre_choice import choose_centre
from web.accounts.face import Face
from web.accounts.session_state import signed_in

PERMISSION_ATTR = "fjc_permission"
View = TypeVar("View", bound=Callable)


def requires(permission: Permission) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        setattr(view, PERMISSION_ATTR, permission)
        return view

    return decorate


def declared_permission(view: Callable) -> Permission | None:
    return getattr(view, PERMISSION_ATTR, None)


def enforcer(face: Face) -> Callable[[], object]:
    """The face's before_request: who is signed in (g.staff, None when nobody
    is) and for which centre (g.centre), then the view's declared permission,
    refused (403) when it declares none; the sign-in page for nobody."""

    def enforce_permission():
        view = current_app.view_functions.get(request.endpoint or "")
        permission = declared_permission(view) if view else None
        if permission is None:
            abort(403)
        found = signed_in(face)
        g.staff = found.staff if found is not None else None
        choose_centre(g.staff, found.centres if found is not None else None)
        if permission is Permission.PUBLIC:
            return None
        if g.staff is None:
            return redirect(face.url("login"))
        if not role_allows(g.staff.role, permission):
            abort(403)
        return None

    return enforce_permission
