"""Words for the codes of access requests (GDPR art. 15): the review page and
the copy read them, the copy in the person's language (flask_babel's
force_locale around it), so these are lazy strings, translated when shown.

`value_lines` turns a gathered value (a text, a number, a list, or a dict of
codes and texts) into lines a person can read: each key with its label, each
code with its words, each date in the reader's format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from backoffice.audit_words import action_words
from core.casework import risk
from web.casefile.labels import (
    ACTION_STATUS_LABELS,
    AGE_RANGE_LABELS,
    ATTEMPT_OUTCOME_LABELS,
    CASE_STATUS_LABELS,
    CHANNEL_LABELS,
    CONSULTATION_BASIS_LABELS,
    KIND_LABELS,
    PARTNER_BASIS_LABELS,
    PARTNER_KIND_LABELS,
    PERSON_ROLE_LABELS,
    RELATION_KIND_LABELS,
    RISK_ANSWER_LABELS,
    RISK_LEVEL_LABELS,
    RISK_SOURCE_LABELS,
    SAFETY_PLAN_SECTION_LABELS,
    STATUS_LABELS,
    TRIAGE_OUTCOME_LABELS,
)
from web.i18n import LANGUAGE_NAMES, format_date, format_datetime
from web.labels import (
    CONSENT_LABELS,
    DAY_LABELS,
    LEGAL_BASIS_LABELS,
    RISK_LABELS,
    TIME_LABELS,
    URGENCY_LABELS,
)

ACCESS_STATUS_LABELS = {
    "draft": _l("Registered: choose the person's records"),
    "proposed": _l("To review"),
    "awaiting_approval": _l("Waiting for a second coordinator"),
    "approved": _l("Approved: the copy can be made"),
    "released": _l("Copy given to the person"),
    "refused": _l("Answered without a copy"),
}
IDENTITY_CHECK_LABELS = {
    "id_document": _l("Identity card or passport seen"),
    "eid_reader": _l("Electronic identity card read"),
    "known_in_person": _l("Known to the team and seen in person"),
    "lawyer": _l("Through their lawyer, with a signed mandate"),
    "other": _l("Another way (say how in the note)"),
}
REFUSAL_REASON_LABELS = {
    "identity_not_confirmed": _l("Their identity could not be confirmed"),
    "manifestly_unfounded": _l("The request is manifestly unfounded"),
    "excessive": _l("The request is excessive (for example repeated)"),
}
# Why a piece is withheld (core.governance.rights.redaction.REASONS).
WITHHOLD_REASON_LABELS = {
    "said_by_others": _l("What other people said"),
    "third_party_contact": _l("Other people's contact details or whereabouts"),
    "safety_plan": _l("A safety plan"),
    "risk_from_others": _l("Risk answers from other people"),
    "notes_about_others": _l("Notes by staff or partners about others"),
    "other_person": _l("About another person"),
    "about_the_file": _l("About the case file as a whole: it is the victim's"),
    "partner_name": _l("The name of a partner: it may say where someone is"),
    "staff_notes": _l("Notes by staff: they may tell what others said"),
    "for_a_child": _l("A child's data: a parent who asks may be the one who harms"),
    "changed": _l("Changed after the review"),
}
DECISION_LABELS = {"release": _l("Give"), "withhold": _l("Withhold")}
# Whom a piece is about (core.governance.rights.gather).
ABOUT_LABELS = {
    "subject": _l("The person asking"),
    "other": _l("Someone else"),
    "file": _l("The case file as a whole"),
}
CATEGORY_LABELS = {
    "identity": _l("Who you are: name, role, year of birth"),
    "contact": _l("How to reach you and safe-contact choices"),
    "request": _l("Your requests to the centre and what was decided"),
    "story": _l("What you told us"),
    "messages": _l("Messages and conversations"),
    "case_file": _l("The case files you are in"),
    "relations": _l("How you are related to others in the file"),
    "safety_plan": _l("Your safety plan"),
    "risk": _l("Risk assessment"),
    "actions": _l("Actions in the case file"),
    "consultations": _l("Case consultations"),
    "notes": _l("Notes by the team and partners"),
    "audit": _l("What the team did with your records, and when"),
}
ORIGIN_LABELS = {
    "self": _l("You: through the website, by message or in a conversation"),
    "referrer": _l("A professional who referred you to us"),
    "others": _l("Other people in the case file"),
    "staff": _l("The centre's team"),
    "partner": _l("Partner organisations working on the case file"),
    "system": _l("Our records: dates and steps, kept by the system"),
}
PURPOSE_LABELS = {
    "support": _l("To help and support the people who ask us for help"),
    "safety": _l("To assess risk and keep people safe"),
    "case_coordination": _l("To work together with partners in a joint case file"),
    "figures": _l("To make figures about our work, without names"),
}
RETENTION_RECORD_LABELS = {
    "request": _l("Requests"),
    "case_file": _l("Case files"),
}
# The piece's name on the review page and in the copy, by (table, field).
FIELD_LABELS = {
    ("intakes", "request"): _l("Request"),
    ("intakes", "name"): _l("Name"),
    ("intakes", "phone"): _l("Phone"),
    ("intakes", "email"): _l("E-mail"),
    ("intakes", "safe_contact"): _l("Safe-contact choices"),
    ("intakes", "safe_word"): _l("Safe word"),
    ("intakes", "trusted_adult"): _l("Trusted adult"),
    ("intakes", "municipality"): _l("Municipality"),
    ("intakes", "story"): _l("Story"),
    ("messages", "body"): _l("Message"),
    ("referrals", "referrer"): _l("Who referred"),
    ("referrals", "referral"): _l("What the referrer wrote"),
    ("contact_attempts", "attempt"): _l("Contact attempt"),
    ("contact_attempts", "note"): _l("Note on a contact attempt"),
    ("triage_decisions", "decision"): _l("Decision on the request"),
    ("triage_decisions", "note"): _l("Note on the decision"),
    ("conversation_messages", "body"): _l("Line of a conversation"),
    ("cases", "case_file"): _l("Case file"),
    ("cases", "closure_note"): _l("Note on closing the file"),
    ("case_people", "role"): _l("Role in the file"),
    ("case_people", "name"): _l("Name"),
    ("case_people", "birth_year"): _l("Year of birth"),
    ("case_people", "phone"): _l("Phone"),
    ("case_people", "email"): _l("E-mail"),
    ("case_people", "contact_safety"): _l("How to reach safely"),
    ("case_people", "school_contacts"): _l("School and care contacts"),
    ("case_people", "no_direct_contact"): _l("Not to be contacted directly"),
    ("case_people", "notes"): _l("Notes"),
    ("case_relations", "relation"): _l("Relation"),
    ("safety_plans", "content"): _l("Safety plan"),
    ("child_voices", "said"): _l("What a child said"),
    ("risk_assessments", "result"): _l("Risk assessment"),
    ("risk_assessments", "answer"): _l("Answer in a risk assessment"),
    ("risk_assessments", "judgement"): _l("Professional judgement"),
    ("case_actions", "action"): _l("Action"),
    ("case_actions", "report"): _l("Partner's report on an action"),
    ("case_consultations", "held"): _l("Case consultation"),
    ("case_consultations", "participants"): _l("Who took part"),
    ("case_consultations", "decisions"): _l("What was decided"),
    ("case_consultations", "notes"): _l("Notes of the consultation"),
    ("case_events", "note"): _l("Partner's note"),
    ("case_partners", "organisation"): _l("Partner organisation"),
    ("audit_events", "event"): _l("Step in our records"),
}
# The label of a key inside a value.
KEY_LABELS = {
    "door": _l("How it came in"),
    "received": _l("Received"),
    "language": _l("Language"),
    "status": _l("Status"),
    "outcome": _l("Decision"),
    "danger_now": _l("In danger at that moment"),
    "children_involved": _l("Children involved"),
    "age_range": _l("Age"),
    "may_call": _l("May call"),
    "may_text": _l("May send a text message"),
    "may_voicemail": _l("May leave a voicemail"),
    "phone_say_who": _l("May say who calls"),
    "email_say_who": _l("May say who writes"),
    "safe_days": _l("Safe days"),
    "safe_times": _l("Safe times"),
    "contact_language": _l("Language for contact"),
    "interpreter_needed": _l("Interpreter needed"),
    "at": _l("When"),
    "direction": _l("From"),
    "sender": _l("From"),
    "text": _l("Text"),
    "channel": _l("How"),
    "result": _l("Result"),
    "referred_to": _l("Referred to"),
    "organisation": _l("Organisation"),
    "role": _l("Role"),
    "name": _l("Name"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "consent": _l("Consent"),
    "legal_basis": _l("Legal basis"),
    "urgency": _l("Urgency"),
    "risk_concerns": _l("Concerns"),
    "risk_text": _l("About the risk"),
    "basis_note": _l("Note on the legal basis"),
    "number": _l("Number"),
    "track": _l("Track"),
    "opened": _l("Opened"),
    "closed": _l("Closed"),
    "saved": _l("Saved"),
    "heard_on": _l("Heard on"),
    "heard_by": _l("Heard by"),
    "assessed": _l("Assessed"),
    "instrument": _l("Instrument"),
    "level": _l("Level"),
    "item": _l("Question"),
    "answer": _l("Answer"),
    "source": _l("Source"),
    "title": _l("What"),
    "due": _l("Due"),
    "held_on": _l("Held on"),
    "action": _l("What was done"),
    **SAFETY_PLAN_SECTION_LABELS,
}
# Neutral words: the review page shows another person's messages too.
_DIRECTION_LABELS = {
    "from_requester": _l("The person who wrote to the centre"),
    "from_staff": _l("The centre's team"),
}
_SENDER_LABELS = {
    "person": _l("The person in the conversation"),
    "staff": _l("The centre's team"),
}
_YES_NO = {True: _l("Yes"), False: _l("No")}
# The words of a value's code, by key; by (table, key) where a key's codes
# differ between tables (a request's, a file's and an action's status).
_CODE_LABELS: dict[Any, dict] = {
    "door": KIND_LABELS,
    ("intakes", "status"): STATUS_LABELS,
    ("cases", "status"): CASE_STATUS_LABELS,
    ("case_actions", "status"): ACTION_STATUS_LABELS,
    "outcome": TRIAGE_OUTCOME_LABELS,
    "track": TRIAGE_OUTCOME_LABELS,
    "language": LANGUAGE_NAMES,
    "contact_language": LANGUAGE_NAMES,
    "age_range": AGE_RANGE_LABELS,
    "children_involved": RISK_ANSWER_LABELS,
    "channel": CHANNEL_LABELS,
    "result": ATTEMPT_OUTCOME_LABELS,
    "consent": CONSENT_LABELS,
    ("referrals", "legal_basis"): LEGAL_BASIS_LABELS,
    ("case_consultations", "legal_basis"): CONSULTATION_BASIS_LABELS,
    "urgency": URGENCY_LABELS,
    "risk_concerns": RISK_LABELS,
    "level": RISK_LEVEL_LABELS,
    "answer": RISK_ANSWER_LABELS,
    "source": RISK_SOURCE_LABELS,
    "direction": _DIRECTION_LABELS,
    "sender": _SENDER_LABELS,
    "safe_days": DAY_LABELS,
    "safe_times": TIME_LABELS,
}
_DATE_KEYS = {"received", "opened", "closed", "saved", "heard_on", "assessed", "held_on", "due"}


def field_label(source: str, field: str) -> str:
    if source == "risk_assessments" and field.startswith("answer:"):
        field = "answer"
    label = FIELD_LABELS.get((source, field))
    return str(label) if label is not None else field


def _code(source: str, key: str, value: Any) -> str:
    labels = _CODE_LABELS.get((source, key)) or _CODE_LABELS.get(key) or {}
    label = labels.get(value)
    return str(label) if label is not None else str(value)


def _scalar(source: str, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_YES_NO[value])
    if key in _DATE_KEYS and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if key == "at" and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if key in ("safe_days", "safe_times", "risk_concerns"):
        parts = value.split(",") if isinstance(value, str) else list(value)
        return ", ".join(_code(source, key, part) for part in parts if part)
    return _code(source, key, value)


def _relation(value: dict) -> str:
    asking, other = _("the person asking"), _("another person in the file")
    kind = RELATION_KIND_LABELS.get(value.get("kind"), value.get("kind"))
    person = asking if value.get("person") == "asking" else other
    second = asking if value.get("other") == "asking" else other
    return _("%(person)s is %(kind)s of %(other)s.", person=person, kind=kind, other=second)


def _risk_item(value: dict) -> str:
    instrument = risk.instruments().get(value.get("instrument") or "")
    item = instrument.item(value.get("item") or "") if instrument is not None else None
    return item.text_in(str(get_locale())) if item is not None else str(value.get("item"))


def value_lines(source: str, field: str, value: Any) -> list[str]:
    """A gathered value as lines of text in the current locale (the staff
    member's on the review page, the person's in the copy)."""
    if source == "case_relations":
        return [_relation(value)]
    if source == "audit_events":
        when = _scalar(source, "at", value.get("at"))
        return [f"{when}: {action_words(value.get('action', '')) or value.get('action')}"]
    if source == "case_people" and field == "role":
        return [str(PERSON_ROLE_LABELS.get(value, value))]
    if source == "case_people" and field == "no_direct_contact":
        return [_("Staff do not contact this person directly.")]
    if isinstance(value, dict):
        lines = []
        for key, part in value.items():
            if part in (None, "", []):
                continue
            if key == "item" and source == "risk_assessments":
                shown = _risk_item(value)
            elif key == "instrument":
                continue
            else:
                shown = _scalar(source, key, part)
            label = KEY_LABELS.get(key)
            lines.append(f"{label if label is not None else key}: {shown}")
        return lines
    if isinstance(value, list):
        return [_entry(entry) for entry in value]
    if isinstance(value, bool):
        return [str(_YES_NO[value])]
    return [str(value)]


def _entry(entry: Any) -> str:
    if isinstance(entry, dict):
        name, organisation = entry.get("name") or "", entry.get("organisation") or ""
        return f"{name} ({organisation})" if name and organisation else name or organisation
    return str(entry)


def recipient_words(kind: str, basis: str, name: str | None) -> str:
    kind_words = str(PARTNER_KIND_LABELS.get(kind, kind))
    basis_words = str(PARTNER_BASIS_LABELS.get(basis, basis))
    shown = f"{name} ({kind_words})" if name else kind_words
    return _("%(recipient)s, on the basis of: %(basis)s", recipient=shown, basis=basis_words)
