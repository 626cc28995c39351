"""The portal blueprint: the language is the first part of every page's URL."""

from __future__ import annotations

from flask import Blueprint, current_app, g

bp = Blueprint("portal", __name__, template_folder="templates")


@bp.url_value_preprocessor
def _take_language(_endpoint, values):
    if values and "lang" in values:
        g.lang = values.pop("lang")


@bp.url_defaults
def _add_language(endpoint, values):
    if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.get("lang") or "nl"


@bp.app_context_processor
def _portal_context():
    return {"exit_url": current_app.config["FJC_EXIT_URL"]}
