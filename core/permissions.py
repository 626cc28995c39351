"""What each staff role may do. Staff routes declare one permission each;
a route that declares none is refused (deny by default)."""

from __future__ import annotations

from enum import StrEnum

from core.models import Role


class Permission(StrEnum):
    # Reachable without signing in (the sign-in page itself).
    PUBLIC = "public"
    # Any signed-in account, whatever its role.
    SIGNED_IN = "signed_in"
    VIEW_INTAKES = "view_intakes"
    MANAGE_STAFF = "manage_staff"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASE_DIRECTOR: frozenset({Permission.VIEW_INTAKES}),
    Role.COORDINATOR: frozenset({Permission.VIEW_INTAKES}),
    # Admins manage accounts and settings, not the content of requests.
    Role.ADMIN: frozenset({Permission.MANAGE_STAFF}),
}


def role_allows(role: str, permission: Permission) -> bool:
    if permission in (Permission.PUBLIC, Permission.SIGNED_IN):
        return True
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
