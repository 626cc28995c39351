"""Deny by default, for every professional face: each view declares the one
permission it needs; a view that declares none is refused at run time, and a
test walking the URL map fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from core.identity.permissions import Permission

PERMISSION_ATTR = "fjc_permission"
View = TypeVar("View", bound=Callable)


def requires(permission: Permission) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        setattr(view, PERMISSION_ATTR, permission)
        return view

    return decorate


def declared_permission(view: Callable) -> Permission | None:
    return getattr(view, PERMISSION_ATTR, None)
