"""The audit trail in the reader's words: what happened, to what, and the
codes in its details ("track_2", "case_director") as the labels staff see
elsewhere. The stored event keeps its codes; only the page translates them.
An action without words here is shown as its code, so nothing is hidden."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.casefile.labels import (
    ATTEMPT_OUTCOME_LABELS,
    CASE_EVENT_LABELS,
    CHANNEL_LABELS,
    CLOSURE_REASON_LABELS,
    CONSULTATION_BASIS_LABELS,
    PARTNER_BASIS_LABELS,
    PARTNER_KIND_LABELS,
    PERSON_ROLE_LABELS,
    ROLE_LABELS,
    TRIAGE_OUTCOME_LABELS,
)

ACTION_LABELS = {
    **CASE_EVENT_LABELS,
    "case.viewed": _l("Case file opened to read"),
    "case.person_viewed": _l("Details of a person read"),
    "case.safety_plan_viewed": _l("Safety plan read"),
    "intake.viewed": _l("Request read"),
    "intake.assigned": _l("Request assigned"),
    "intake.claimed": _l("Request taken"),
    "intake.contact_attempt": _l("Contact attempt recorded"),
    "intake.decided": _l("Triage decision"),
    "intake.linked": _l("Requests linked"),
    "intake.message_read": _l("Message marked as read"),
    "intake.message_unread": _l("Message marked as unread"),
    "intake.replied": _l("Reply to the mailbox"),
    "intake.code_given_again": _l("Return code given again after a lost answer"),
    "staff.login": _l("Signed in"),
    "staff.logout": _l("Signed out"),
    "staff.login_failed": _l("Sign-in failed"),
    "staff.login_refused": _l("Sign-in refused"),
    "staff.locked": _l("Account locked after failed sign-ins"),
    "staff.unlocked": _l("Account unlocked"),
    "staff.created": _l("Account created"),
    "staff.invited": _l("Colleague invited to the back office"),
    "staff.invite_accepted": _l("Invitation accepted"),
    "staff.activated": _l("Account activated"),
    "staff.deactivated": _l("Account deactivated"),
    "staff.password_changed": _l("Password changed"),
    "staff.second_factor_enabled": _l("Two-step sign-in set up"),
    "staff.second_factor_reset": _l("Two-step sign-in reset"),
    "staff.recovery_codes_renewed": _l("New recovery codes"),
    "staff.signed_out_everywhere": _l("Signed out on every device"),
    "audit.viewed": _l("Audit trail read"),
    "audit.keyed": _l("Audit trail keyed"),
    "audit.anchored": _l("Audit trail checked and anchored"),
    "stats.viewed": _l("Figures read"),
    "stats.exported": _l("Figures exported"),
    "keys.rotated": _l("Data keys rotated"),
    "retention.purged": _l("Expired data erased"),
    "backup.restored": _l("Backup restored"),
    "partner.invited": _l("Partner member invited"),
    "partner.created": _l("Partner member's account created"),
}

TARGET_LABELS = {
    "intake": _l("Request"),
    "case": _l("Case file"),
    "staff": _l("Account"),
}

# Codes that may appear in a detail, each with the words staff know it by.
_CODE_LABELS = {
    **TRIAGE_OUTCOME_LABELS,
    **ROLE_LABELS,
    **PERSON_ROLE_LABELS,
    **PARTNER_KIND_LABELS,
    **PARTNER_BASIS_LABELS,
    **CONSULTATION_BASIS_LABELS,
    **CLOSURE_REASON_LABELS,
    **CHANNEL_LABELS,
    **ATTEMPT_OUTCOME_LABELS,
}


def action_words(action: str) -> str | None:
    """The action in words, or None (the page then shows the code)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else None


def target_words(target_type: str | None, target_id: int | None) -> str:
    if not target_type:
        return "–"
    label = TARGET_LABELS.get(target_type)
    return f"{label if label is not None else target_type} {target_id or ''}".strip()


def detail_words(detail: str | None) -> str:
    """Each code in the detail replaced by its words; everything else as it is."""
    if not detail:
        return ""
    return " ".join(_word(token) for token in detail.split(" "))


def _word(token: str) -> str:
    key, sep, value = token.partition("=")
    if sep and value in _CODE_LABELS:
        return f"{key}={_CODE_LABELS[value]}"
    label = _CODE_LABELS.get(token)
    return str(label) if label is not None else token
