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
  (never to a person causing harm, not even "his own", nor for a child);
- risk answers sourced from others (only a victim's own answers go to her);
- staff and partner notes about others, and about the file as a whole;
- what is about a case file as a whole (its actions, risk level,
  consultations, relations, the names of its partners), decided per file:
  released only when the person asking is that file's victim. The file is
  hers; to anyone else in it (the person causing harm, another adult, a
  child) it tells what she and the partners do and where she is;
- for a person causing harm, also the staff notes on his own records: they
  are written down from what the victim and partners said;
- for a child (a child in a file, a request through the young people's
  door), also her own contact details, words and notes: the person asking
  for a child's copy may be a parent, and a parent may be the one who harms."""

from __future__ import annotations

from core.governance.rights.gather import (
    CONTACT,
    FILE,
    NOTES,
    OTHER,
    RECIPIENT,
    RELATION,
    RISK_ANSWER,
    RISK_RESULT,
    SAFETY_PLAN,
    WORDS,
    Found,
    Subject,
)
from core.model import ItemDecision

SAID_BY_OTHERS = "said_by_others"
THIRD_PARTY_CONTACT = "third_party_contact"
SAFETY_PLAN_REASON = "safety_plan"
RISK_FROM_OTHERS = "risk_from_others"
NOTES_ABOUT_OTHERS = "notes_about_others"
# Who someone else is (a name, a role, a year of birth) and how people relate.
OTHER_PERSON = "other_person"
# About a case file as a whole, asked for by someone who is not its victim.
ABOUT_THE_FILE = "about_the_file"
# A partner organisation's name (a refuge's says where she is).
PARTNER_NAME = "partner_name"
# Staff notes on the records of a person causing harm.
STAFF_NOTES = "staff_notes"
# A child's own contact details, words and notes.
FOR_A_CHILD = "for_a_child"
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
    ABOUT_THE_FILE,
    PARTNER_NAME,
    STAFF_NOTES,
    FOR_A_CHILD,
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


def _about_the_file(found: Found, victim: bool) -> Proposal:
    if not victim:
        # The file is the victim's: its plan, meetings, partners and notes are
        # about her and what is done for her.
        return _withhold(
            {
                RELATION: OTHER_PERSON,
                RECIPIENT: PARTNER_NAME,
                NOTES: NOTES_ABOUT_OTHERS,
                CONTACT: THIRD_PARTY_CONTACT,
            }.get(found.kind, ABOUT_THE_FILE)
        )
    # Her own file: its actions and decisions, not the professionals' notes
    # or the names of those who took part.
    if found.kind == NOTES:
        return _withhold(NOTES_ABOUT_OTHERS)
    if found.kind == CONTACT:
        return _withhold(THIRD_PARTY_CONTACT)
    return RELEASE


def propose(found: Found, subject: Subject) -> Proposal:
    """Release or withhold one piece for the person `subject` is, with the
    reason for withholding it."""
    victim = subject.is_victim_in(found.case_id)
    if found.kind == SAFETY_PLAN:
        own = found.about not in (OTHER, FILE)
        if own and not subject.causes_harm and not subject.child:
            return RELEASE
        return _withhold(SAFETY_PLAN_REASON)
    if found.kind == RISK_ANSWER:
        if found.said_by_subject and victim and not subject.causes_harm:
            return RELEASE
        return _withhold(RISK_FROM_OTHERS)
    if found.kind == RISK_RESULT:
        # How dangerous the situation was judged tells anyone but the victim
        # what she and the partners said and fear.
        return RELEASE if victim else _withhold(RISK_FROM_OTHERS)
    if found.about == OTHER:
        return _about_someone_else(found)
    if found.about == FILE:
        return _about_the_file(found, victim)
    # About the person asking.
    if found.kind == NOTES and subject.causes_harm:
        return _withhold(STAFF_NOTES)
    if subject.child and found.kind in (CONTACT, WORDS, NOTES):
        return _withhold(FOR_A_CHILD)
    return RELEASE
