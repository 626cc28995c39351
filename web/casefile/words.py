"""The words every professional template may use for core's codes, in one
place, so the back office and the partner face name things alike."""

from __future__ import annotations

from web.casefile import contact_words
from web.casefile.labels import (
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
from web.labels import ALL_LABELS


def template_words() -> dict:
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
        "contact_lines": contact_words.lines_for,
        **ALL_LABELS,
    }
