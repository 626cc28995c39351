"""The form of a person's safety plan: one text per part of the plan, an
adult's parts and a child's own; the page shows the parts of the person's
plan (core.casework.safety_plans.sections_for) and the kernel keeps only those.

A part is posted as "section-<part>" and its field has the id "plan-<part>";
the kernel (core.casework.safety_plans) names a part by its code alone
({"safe_places": "too_long"}), which is the field's short name here.
"""

from __future__ import annotations

from wtforms import TextAreaField

from core.casework.safety_plans import ALL_SECTIONS
from web.casefile.labels import SAFETY_PLAN_SECTION_LABELS as LABELS
from web.forms import Form


class SafetyPlanForm(Form):
    """The kernel decides what a plan needs (one filled part, lengths)."""

    class Meta:
        # The page's `csrf_token` input, checked by the app-wide CSRFProtect.
        csrf = False

    warning_signs = TextAreaField(LABELS["warning_signs"])
    safe_places = TextAreaField(LABELS["safe_places"])
    safe_people = TextAreaField(LABELS["safe_people"])
    emergency = TextAreaField(LABELS["emergency"])
    keep_ready = TextAreaField(LABELS["keep_ready"])
    children = TextAreaField(LABELS["children"])
    staying_in_touch = TextAreaField(LABELS["staying_in_touch"])
    who_i_call = TextAreaField(LABELS["who_i_call"])
    where_i_go = TextAreaField(LABELS["where_i_go"])
    code_word = TextAreaField(LABELS["code_word"])
    trusted_adult = TextAreaField(LABELS["trusted_adult"])

    field_ids = {code: f"plan-{code}" for code in ALL_SECTIONS}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "section-")
        super().__init__(*args, **kwargs)

    def content(self) -> dict[str, str | None]:
        return {code: self[code].data for code in ALL_SECTIONS}
