"""Words for the triage codes, shown to staff only (nl, fr, en)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from core.model import IntakeKind, IntakeStatus

REASON_LABELS = {
    "danger_now": _l("In danger now"),
    "urgent_today": _l("Urgent today (professional)"),
    "urgent_this_week": _l("Urgent this week (professional)"),
    "high_risk_factor": _l("High-risk factor: choking, threats to kill or weapons"),
    "risk_factors": _l("Other risk factors"),
    "children": _l("Children in the family"),
    "unread_message": _l("New message from the person"),
    "overdue": _l("Waiting longer than the target"),
    "long_overdue": _l("Waiting more than twice the target"),
    "young_person": _l("A young person (under 18)"),
}
CHANNEL_LABELS = {
    "call": _l("Phone call"),
    "text": _l("Text message"),
    "voicemail": _l("Voicemail"),
    "email": _l("E-mail"),
    "portal": _l("Portal mailbox"),
    "trusted_adult": _l("Through the trusted adult they named"),
    "referrer": _l("Through the referrer"),
}
ATTEMPT_OUTCOME_LABELS = {
    "reached": _l("Reached the person"),
    "no_answer": _l("No answer"),
    "message_left": _l("Left a message"),
    "not_safe_now": _l("The person said it is not safe now"),
    "wrong_person": _l("Someone else answered"),
}
TRIAGE_OUTCOME_LABELS = {
    "track_1": _l("Track 1: advice or referral to regular services"),
    "track_2": _l("Track 2: outreach by a case director"),
    "track_3": _l("Track 3: chain approach with partners"),
    "out_of_scope": _l("Out of scope: referred to the right service"),
    "could_not_reach": _l("Could not reach the person"),
    "referred_vk": _l("Referred to the Vertrouwenscentrum Kindermishandeling"),
}
CLOSURE_REASON_LABELS = {
    "goals_reached": _l("Goals reached"),
    "client_stopped": _l("The client stopped"),
    "moved": _l("The client moved away"),
    "referred": _l("Referred to another service"),
    "other": _l("Other reason"),
}
PERSON_ROLE_LABELS = {
    "victim": _l("Victim"),
    "child": _l("Child"),
    "other_adult": _l("Other adult"),
    "person_causing_harm": _l("Person causing harm"),
}
CASE_EVENT_LABELS = {
    "case.opened": _l("Case file opened"),
    "case.member_added": _l("Colleague invited"),
    "case.closed": _l("Case file closed"),
    "case.reopened": _l("Case file opened again"),
    "case.risk_assessed": _l("Risk assessed"),
    "case.partner_added": _l("Partner added"),
    "case.partner_updated": _l("Partner details changed"),
    "case.consent_withdrawn": _l("Consent withdrawn"),
    "case.person_added": _l("Person added"),
    "case.person_updated": _l("Details of a person changed"),
    "case.person_removed": _l("Person removed"),
    "case.relation_added": _l("Relation added"),
    "case.relation_removed": _l("Relation removed"),
    "case.safety_plan_saved": _l("Safety plan saved"),
    "case.child_heard": _l("Child heard"),
    "case.action_added": _l("Action added"),
    "case.action_updated": _l("Action changed"),
    "case.consultation_recorded": _l("Case consultation recorded"),
    "case.printed": _l("Print view made"),
    "case.contact_rules_changed": _l("Safe-contact rules changed"),
    "case.partner_member_added": _l("Partner member may open the file"),
    "case.partner_member_removed": _l("Partner member may no longer open the file"),
    "case.consultation_planned": _l("Case consultation planned"),
    "transfer.sent": _l("Offered to another centre"),
    "transfer.accepted": _l("Received from another centre"),
    "transfer.declined": _l("Transfer declined"),
    "case.partner_reviewed": _l("Partner's basis checked after a transfer"),
    "partner.viewed": _l("A partner read the file"),
    "partner.printed": _l("A partner printed the file"),
    "partner.note": _l("Note from a partner"),
    "partner.action_reported": _l("Report from a partner on an action"),
    "partner.consultation_answered": _l("A partner answered a planned consultation"),
    # Rectification, restriction, erasure requests (issue 25).
    "case.person_corrected": _l("A detail of a person corrected on their request"),
    "case.person_restricted": _l("Use of a person's data restricted"),
    "case.person_restriction_lifted": _l("Restriction of a person's data lifted"),
    "case.erasure_requested": _l("Asked to erase the case file"),
    "case.erased_on_request": _l("Case file erased on request"),
    "case.erasure_refused": _l("Request to erase the case file refused"),
}
# Statuses carry a message context: in English "Open" is also a button, and
# Dutch and French need another word for each (nl "Open" / "Openen", and fr
# "Ouvert" for a dossier, "Ouverte" for an action, "Ouvrir" for the button).
CASE_STATUS_LABELS = {
    "open": lazy_pgettext("case file status", "Open"),
    "closed": lazy_pgettext("case file status", "Closed"),
}
RISK_LEVEL_LABELS = {
    "standard": _l("Standard risk"),
    "elevated": _l("Elevated risk"),
    "high": _l("High risk"),
}
RISK_ANSWER_LABELS = {"yes": _l("Yes"), "no": _l("No"), "unknown": _l("Unknown")}
RISK_SOURCE_LABELS = {
    "victim": _l("The victim"),
    "professional": _l("A professional"),
    "file": _l("Records"),
}
PARTNER_KIND_LABELS = {
    "police": _l("Police zone"),
    "prosecutor": _l("Public prosecutor (parket)"),
    "caw": _l("CAW (general welfare work)"),
    "youth_care": _l("Youth care"),
    "mental_health": _l("Mental health care"),
    "lawyer": _l("Lawyer"),
    "doctor": _l("Doctor"),
    "school": _l("School"),
    "other": _l("Other organisation"),
}
PARTNER_BASIS_LABELS = {
    "consent": _l("The client's consent"),
    "case_consultation": _l("Case consultation (art. 458ter Sw.)"),
}
PARTNER_PART_LABELS = {
    "contact_details": _l("Contact details"),
    "story": _l("The story"),
    "risk_assessment": _l("Risk assessment"),
    "safety_plan": _l("Safety plan"),
    "action_plan": _l("Action plan and case consultations"),
}
# Read inside "… is the ___ of …" in the relation forms.
RELATION_KIND_LABELS = {
    "partner": _l("partner"),
    "ex_partner": _l("ex-partner"),
    "parent": _l("parent"),
    "child": _l("child"),
    "sibling": _l("brother or sister"),
    "other_family": _l("other family member"),
    "other": _l("other relation"),
}

RELATION_SENTENCES = {
    "partner": _l("%(person)s is the partner of %(other)s."),
    "ex_partner": _l("%(person)s is the ex-partner of %(other)s."),
    "parent": _l("%(person)s is the parent of %(other)s."),
    "child": _l("%(person)s is the child of %(other)s."),
    "sibling": _l("%(person)s is a brother or sister of %(other)s."),
    "other_family": _l("%(person)s is other family of %(other)s."),
    "other": _l("%(person)s is related to %(other)s in another way."),
}

# The parts of a safety plan, in the order staff go through them.
SAFETY_PLAN_SECTION_LABELS = {
    "warning_signs": _l("Warning signs that danger is rising"),
    "safe_places": _l("Safe places to go"),
    "safe_people": _l("People who can help"),
    "emergency": _l("What to do in an emergency"),
    "keep_ready": _l("Things and documents to keep ready"),
    "children": _l("Agreements for the children"),
    "staying_in_touch": _l("How we stay in touch safely"),
    # A child's own plan, in the child's words (core.casework.safety_plans.CHILD_SECTIONS).
    "who_i_call": _l("Who I call"),
    "where_i_go": _l("Where I go"),
    "code_word": _l("My code word"),
    "trusted_adult": _l("My trusted adult"),
}

ACTION_STATUS_LABELS = {
    "open": lazy_pgettext("action status", "Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}

# The legal basis of a case consultation.
CONSULTATION_BASIS_LABELS = {
    "art_458ter": _l(
        "Case consultation under art. 458ter Sw. "
        "(organised by law or with the prosecutor's reasoned consent)"
    ),
    "consent": _l("With the client's consent"),
}
# Who does an action: someone of the team, or a partner organisation.
ACTION_OWNER_LABELS = {"staff": _l("a team member"), "partner": _l("a partner")}


KIND_LABELS = {
    IntakeKind.CONTACT: _l("Asks to be contacted"),
    IntakeKind.QUESTION: _l("Anonymous question"),
    IntakeKind.REFERRAL: _l("Referral by a professional"),
    IntakeKind.YOUNG: _l("A young person asks for help"),
    # Talk now (issue 21): a live conversation, a message left or a call-back booked.
    IntakeKind.CONVERSATION: _l("Conversation"),
}
# A young person's age range, as the portal asked it.
AGE_RANGE_LABELS = {
    "under_12": _l("under 12"),
    "12_13": _l("12 or 13"),
    "14_15": _l("14 or 15"),
    "16_17": _l("16 or 17"),
    "not_said": _l("age not said"),
}

STATUS_LABELS = {
    IntakeStatus.NEW: _l("New"),
    IntakeStatus.IN_PROGRESS: _l("In progress"),
    IntakeStatus.CONTACT_ATTEMPTED: _l("Tried to reach"),
    IntakeStatus.DECIDED: _l("Decided: waiting for a case file"),
    IntakeStatus.CLOSED: lazy_pgettext("request status", "Closed"),
    IntakeStatus.ERASED: _l("Deleted by the requester"),
}


ROLE_LABELS = {
    "case_director": _l("Case director"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
    "partner": _l("Partner member"),
    "network": _l("Network figures only"),
}

# Why a centre keeps a case file a person asked it to erase (issue 25, GDPR
# art. 17(3); core.model.RefusalGround).
REFUSAL_GROUND_LABELS = {
    "legal_obligation": _l("A law obliges us to keep it"),
    "protection_of_others": _l("It protects someone else, such as a child or the victim"),
    "legal_claims": _l("It is needed for a court case or a complaint"),
    "public_interest": _l("It is needed for a task in the public interest"),
}
