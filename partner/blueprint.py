"""The partner blueprint: every route under /partner, denied by default, with
the case-file words the back office uses too."""

from __future__ import annotations

from flask import Blueprint

from partner.access import enforce_permission
from web.casefile.words import template_words
from web.centre_keys import release

bp = Blueprint("partner", __name__, url_prefix="/partner", template_folder="templates")
bp.before_request(enforce_permission)
# Resets the centre keys enforce_permission chose (web.centre_keys).
bp.teardown_request(release)


@bp.context_processor
def _labels():
    return template_words()
