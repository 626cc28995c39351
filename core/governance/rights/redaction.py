"""What to withhold from a copy, and why (GDPR art. 15(4): the right of access
"shall not adversely affect the rights and freedoms of others").

A proposal only: staff accept or change each item, and a second coordinator
approves. The proposals lean to withholding where someone else could be
hurt, because a wrong "withhold" costs a question and a wrong "release" may
cost a victim her safety:

- what others said (a victim's story, a referrer's concerns, a child's words);
- other people's contact details and whereabouts (phones, e-mails,
  safe-contact rules, municipality, safe words, school contacts);
- safety plans, always, except a person's own plan asked for by herself
  (never to a person causing harm, not even "his own");
- risk answers sourced from others (only a victim's own answers go to her);
- staff and partner notes about others, and about the file as a whole;
- for a person causing harm, everything about the victim and the file:
  only what is about him goes into his copy."""

from __future__ import annotations

from core.governance.rights.gather import (
    CONTACT,
    FILE,
    NOTES,
    OTHER,
    RELATION,
    RISK_ANSWER,
    RISK_RESULT,
    SAFETY_PLAN,
    SUBJECT,
    WORDS,
    Found,
)
from core.model import ItemDecision

SAID_BY_OTHERS = "said_by_others"
THIRD_PARTY_CONTACT = "third_party_contact"
SAFETY_PLAN_REASON = "safety_plan"
RISK_FROM_OTHERS = "risk_from_others"
NOTES_ABOUT_OTHERS = "notes_about_others"
# Who someone else is (a name, a role, a year of birth) and how people relate.
OTHER_PERSON = "other_person"
# The value changed after the review: left out rather than released unseen.
CHANGED = "changed"

# The reasons staff may choose, in the order the review page offers them.
REASONS = (
    SAID_BY_OTHERS,
    THIRD_PARTY_CONTACT,
    SAFETY_PLAN_REASON,
    RISK_FROM_OTHERS,
    NOTES_ABOUT_OTHERS,
    OTHER_PERSON,
)

Proposal = tuple[ItemDecision, str | None]
RELEASE: Proposal = (ItemDecision.RELEASE, None)


def _withhold(reason: str) -> Proposal:
    return (ItemDecision.WITHHOLD, reason)


def _about_someone_else(found: Found) -> Proposal:
    if found.kind == CONTACT:
        return _withhold(THIRD_PARTY_CONTACT)
    if found.kind == WORDS:
        return _withhold(SAID_BY_OTHERS)
    if found.kind == NOTES:
        return _withhold(NOTES_ABOUT_OTHERS)
    return _withhold(OTHER_PERSON)


def propose(found: Found, *, causes_harm: bool) -> Proposal:
    """Release or withhold one piece, with the reason for withholding it."""
    if found.kind == SAFETY_PLAN:
        if found.about == SUBJECT and not causes_harm:
            return RELEASE
        return _withhold(SAFETY_PLAN_REASON)
    if found.kind == RISK_ANSWER:
        return RELEASE if found.said_by_subject and not causes_harm else _withhold(RISK_FROM_OTHERS)
    if found.kind == RISK_RESULT:
        # How dangerous the situation was judged tells a person causing harm
        # what the victim and the partners said and fear.
        return _withhold(RISK_FROM_OTHERS) if causes_harm else RELEASE
    if found.about == OTHER:
        return _about_someone_else(found)
    if found.about == FILE:
        if causes_harm:
            # The file is the victim's: its plan, meetings and notes are about her.
            return _withhold(OTHER_PERSON if found.kind == RELATION else NOTES_ABOUT_OTHERS)
        if found.kind == NOTES:
            return _withhold(NOTES_ABOUT_OTHERS)
        if found.kind == CONTACT:
            return _withhold(THIRD_PARTY_CONTACT)
        return RELEASE
    return RELEASE
