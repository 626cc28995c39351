"""The back office blueprint: every route under /staff, denied by default, with
the labels every back-office template may use."""

from __future__ import annotations

from flask import Blueprint, g

from backoffice import contact_words, timeline
from backoffice.access import enforce_permission
from backoffice.labels import (
    ATTEMPT_OUTCOME_LABELS,
    CASE_EVENT_LABELS,
    CASE_STATUS_LABELS,
    CHANNEL_LABELS,
    CLOSURE_REASON_LABELS,
    KIND_LABELS,
    PARTNER_BASIS_LABELS,
    PARTNER_KIND_LABELS,
    PARTNER_PART_LABELS,
    PERSON_ROLE_LABELS,
    REASON_LABELS,
    RISK_ANSWER_LABELS,
    RISK_LEVEL_LABELS,
    RISK_SOURCE_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    TRIAGE_OUTCOME_LABELS,
)
from core.identity.permissions import Permission, role_allows
from web.labels import ALL_LABELS

bp = Blueprint("backoffice", __name__, url_prefix="/staff", template_folder="templates")
bp.before_request(enforce_permission)


def _can(permission: str) -> bool:
    staff = g.get("staff")
    return staff is not None and role_allows(staff.role, Permission(permission))


@bp.context_processor
def _labels():
    return {
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "role_labels": ROLE_LABELS,
        "reason_labels": REASON_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "attempt_outcome_labels": ATTEMPT_OUTCOME_LABELS,
        "triage_outcome_labels": TRIAGE_OUTCOME_LABELS,
        "closure_reason_labels": CLOSURE_REASON_LABELS,
        "person_role_labels": PERSON_ROLE_LABELS,
        "case_event_labels": CASE_EVENT_LABELS,
        "case_status_labels": CASE_STATUS_LABELS,
        "risk_level_labels": RISK_LEVEL_LABELS,
        "risk_answer_labels": RISK_ANSWER_LABELS,
        "risk_source_labels": RISK_SOURCE_LABELS,
        "partner_kind_labels": PARTNER_KIND_LABELS,
        "partner_basis_labels": PARTNER_BASIS_LABELS,
        "partner_part_labels": PARTNER_PART_LABELS,
        "can": _can,
        "timeline_detail": timeline.describe,
        "contact_lines": contact_words.lines_for,
        **ALL_LABELS,
    }
