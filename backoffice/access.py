"""Deny by default: each staff view declares the permission it needs
(web.accounts.permissions), checked before every request to the blueprint,
after web.accounts.session_state has said who is signed in (and ended an
idle, old or outlived session)."""

from __future__ import annotations

from flask import g, url_for

from core.governance import audit
from core.identity.permissions import Permission, role_allows
from core.model import Staff
from web.accounts.face import Face
from web.accounts.permissions import enforcer, requires
from web.db import db

__all__ = ["FACE", "enforce_permission", "record_read", "requires"]


def _second_factor_required(config) -> bool:
    return bool(config["FJC_REQUIRE_SECOND_FACTOR"])


def _landing(staff: Staff) -> str:
    if role_allows(staff.role, Permission.VIEW_INTAKES):
        return url_for("backoffice.queue")
    # The network role has one page of its own: the network's figures.
    if role_allows(staff.role, Permission.VIEW_NETWORK):
        return url_for("backoffice.network_page")
    return url_for("backoffice.account")


# The team's face: team accounts only (a partner member's is refused at sign-in
# and never counts as signed in here); a second factor where config says so.
FACE = Face(
    blueprint="backoffice",
    base_template="backoffice/base.html",
    partner=False,
    landing=_landing,
    second_factor_required=_second_factor_required,
    counts_waiting=True,
)


enforce_permission = enforcer(FACE)


def record_read(
    action: str,
    *,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Audit that the signed-in staff member read something. A GET has no write
    transaction of its own (reads do not lock SQLite), so this opens one,
    which writes the event alone (audit.append) and commits before the page
    is sent."""
    with db.writing() as writer:
        audit.append(
            writer,
            action,
            actor_id=g.staff.id,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
            # The centre the member is working for, whose audit page shows it.
            centre_id=g.centre.id,
        )
