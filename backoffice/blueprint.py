"""The back office blueprint: every route under /staff, denied by default, with
the labels every back-office template may use."""

from __future__ import annotations

from flask import Blueprint, g

from backoffice import timeline
from backoffice.access import enforce_permission
from core.identity.permissions import Permission, role_allows
from web.casefile.words import template_words
from web.centre_keys import release

bp = Blueprint("backoffice", __name__, url_prefix="/staff", template_folder="templates")
bp.before_request(enforce_permission)
# Resets the centre keys enforce_permission chose (web.centre_keys).
bp.teardown_request(release)


def _can(permission: str) -> bool:
    staff = g.get("staff")
    return staff is not None and role_allows(staff.role, Permission(permission))


@bp.context_processor
def _labels():
    return {**template_words(), "can": _can, "timeline_detail": timeline.describe}
