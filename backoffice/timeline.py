"""The case timeline in the reader's language. Core records each event's
detail as codes ("child", "police, consent", "open → done", "art_458ter,
2 participants, 1 decisions, 1 actions"); the words for them belong to the
view, so a Dutch or French reader never sees a code."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from web.casefile.labels import (
    ACTION_OWNER_LABELS,
    ACTION_STATUS_LABELS,
    CLOSURE_REASON_LABELS,
    PARTNER_BASIS_LABELS,
    PARTNER_KIND_LABELS,
    PARTNER_PART_LABELS,
    PERSON_ROLE_LABELS,
    REFUSAL_GROUND_LABELS,
    RELATION_KIND_LABELS,
    RISK_LEVEL_LABELS,
)

# A consultation's basis, in the words the partners' bases already use.
_CONSULTATION_BASES = {
    "art_458ter": PARTNER_BASIS_LABELS["case_consultation"],
    "consent": PARTNER_BASIS_LABELS["consent"],
}
# The codes each kind of event writes in its detail.
_CODES: dict[str, Mapping] = {
    "case.person_added": PERSON_ROLE_LABELS,
    "case.person_updated": PERSON_ROLE_LABELS,
    "case.person_removed": PERSON_ROLE_LABELS,
    "case.safety_plan_saved": PERSON_ROLE_LABELS,
    "case.child_heard": PERSON_ROLE_LABELS,
    "case.relation_added": RELATION_KIND_LABELS,
    "case.relation_removed": RELATION_KIND_LABELS,
    "case.partner_added": {**PARTNER_KIND_LABELS, **PARTNER_BASIS_LABELS},
    "case.partner_updated": PARTNER_KIND_LABELS,
    "case.consent_withdrawn": PARTNER_KIND_LABELS,
    "case.partner_reviewed": PARTNER_KIND_LABELS,
    "case.printed": PARTNER_KIND_LABELS,
    "case.closed": CLOSURE_REASON_LABELS,
    "case.risk_assessed": {**RISK_LEVEL_LABELS, "incomplete": _l("incomplete")},
    "case.action_added": {**ACTION_OWNER_LABELS, **ACTION_STATUS_LABELS},
    "case.action_updated": ACTION_STATUS_LABELS,
    "case.consultation_recorded": _CONSULTATION_BASES,
    "case.consultation_planned": _CONSULTATION_BASES,
    # Rectification and restriction (issue 25): the person's role.
    "case.person_corrected": PERSON_ROLE_LABELS,
    "case.person_restricted": PERSON_ROLE_LABELS,
    "case.person_restriction_lifted": PERSON_ROLE_LABELS,
    "case.erasure_refused": REFUSAL_GROUND_LABELS,
    "partner.viewed": PARTNER_PART_LABELS,
    "partner.printed": PARTNER_PART_LABELS,
    "partner.consultation_answered": {
        "attending": _l("takes part"),
        "not_attending": _l("cannot take part"),
    },
}
_SEPARATORS = re.compile(r"(, | → )")
_COUNT = re.compile(r"^(\d+) (participants|decisions|actions)$")


def _count(number: int, what: str) -> str:
    if what == "participants":
        return ngettext("%(num)d participant", "%(num)d participants", number)
    if what == "decisions":
        return ngettext("%(num)d decision", "%(num)d decisions", number)
    return ngettext("%(num)d action", "%(num)d actions", number)


def _word(token: str, codes: Mapping) -> str:
    if token in codes:
        return str(codes[token])
    counted = _COUNT.match(token)
    if counted:
        return _count(int(counted.group(1)), counted.group(2))
    return token  # a request number, a colleague's name: the same in every language


def describe(action: str, detail: str | None) -> str:
    """The event's detail in words; codes of other kinds of events stay as they are."""
    if not detail:
        return ""
    codes = _CODES.get(action, {})
    return "".join(
        part if _SEPARATORS.fullmatch(part) else _word(part, codes)
        for part in _SEPARATORS.split(detail)
    )
