"""Deny by default for the partner face: each view declares its permission;
the account must be a partner member's, signed in on this face; and a case
file is loaded only through `access_or_404`, which asks
core.casework.partner_access on every request, so a withdrawn consent or a
removed link closes the file at the member's next request. Any id the member
may not reach is "not found", whatever it names."""

from __future__ import annotations

from flask import abort, g, url_for

from core.casework import partner_access
from core.casework.partner_access import Access
from core.model import Staff
from web.accounts.face import Face
from web.accounts.permissions import enforcer
from web.db import db


def _second_factor_required(config) -> bool:
    """Partners sign in from outside the centre: two-step sign-in everywhere
    but on a developer's machine."""
    return config["FJC_ENV"] != "development"


def _landing(_member: Staff) -> str:
    return url_for("partner.home")


FACE = Face(
    blueprint="partner",
    base_template="partner/base.html",
    partner=True,
    landing=_landing,
    second_factor_required=_second_factor_required,
)


enforce_permission = enforcer(FACE)


def access_or_404(case_id: int) -> Access:
    found = partner_access.access_to(db.session, g.staff, case_id)
    if found is None:
        abort(404)
    return found
