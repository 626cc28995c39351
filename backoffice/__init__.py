"""The back office for the FJC team. Every route denies by default."""

from __future__ import annotations

from flask import Blueprint, Flask, g
from flask_babel import lazy_gettext as _l

from backoffice import timeline
from backoffice.access import enforce_permission
from backoffice.labels import (
    ATTEMPT_OUTCOME_LABELS,
    CASE_EVENT_LABELS,
    CASE_STATUS_LABELS,
    CHANNEL_LABELS,
    CLOSURE_REASON_LABELS,
    PARTNER_BASIS_LABELS,
    PARTNER_KIND_LABELS,
    PARTNER_PART_LABELS,
    PERSON_ROLE_LABELS,
    REASON_LABELS,
    RISK_ANSWER_LABELS,
    RISK_LEVEL_LABELS,
    RISK_SOURCE_LABELS,
    TRIAGE_OUTCOME_LABELS,
)
from core.identity.permissions import Permission, role_allows
from core.model import IntakeKind, IntakeStatus
from web.labels import ALL_LABELS

bp = Blueprint("backoffice", __name__, url_prefix="/staff", template_folder="templates")
bp.before_request(enforce_permission)

KIND_LABELS = {
    IntakeKind.CONTACT: _l("Asks to be contacted"),
    IntakeKind.QUESTION: _l("Anonymous question"),
    IntakeKind.REFERRAL: _l("Referral by a professional"),
}
STATUS_LABELS = {
    IntakeStatus.NEW: _l("New"),
    IntakeStatus.IN_PROGRESS: _l("In progress"),
    IntakeStatus.CONTACT_ATTEMPTED: _l("Tried to reach"),
    IntakeStatus.DECIDED: _l("Decided: waiting for a case file"),
    IntakeStatus.CLOSED: _l("Closed"),
    IntakeStatus.ERASED: _l("Deleted by the requester"),
}


ROLE_LABELS = {
    "case_director": _l("Case director"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
}


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
        **ALL_LABELS,
    }


def init_app(app: Flask) -> None:
    from backoffice import (  # noqa: F401 - views
        account,
        admin,
        auth,
        case_people,
        case_plans,
        case_print,
        cases,
        intakes,
        stats,
        triage,
    )

    app.register_blueprint(bp)
