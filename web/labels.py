"""Translated words for the codes stored on a request. Both faces show them,
so they live in the kernel: the portal asks with them, staff read them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.casework.feedback import QUESTIONS

DAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}
TIME_LABELS = {
    "morning": _l("Morning (9:00 to 12:00)"),
    "afternoon": _l("Afternoon (12:00 to 17:00)"),
    "evening": _l("Evening (17:00 to 20:00)"),
}
CHILDREN_LABELS = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "unknown": _l("I would rather not say"),
}
RISK_LABELS = {
    "separation": _l("A separation, or a plan to separate"),
    "strangulation": _l("Choking or strangling, even once"),
    "threats_to_kill": _l("Threats to kill"),
    "weapons": _l("Access to weapons, or threats with weapons"),
    "escalation": _l("The violence gets worse or happens more often"),
    "stalking": _l("Stalking, following or checking"),
    "pregnancy": _l("Pregnancy or a newborn baby"),
    "children_witness": _l("Children see or hear the violence"),
    "substance_abuse": _l("Alcohol or drug abuse"),
    "suicide_threats": _l("Threats of suicide"),
}
URGENCY_LABELS = {
    "today": _l("Today"),
    "this_week": _l("This week"),
    "normal": _l("Not urgent"),
}
CONSENT_LABELS = {
    "agrees": _l("Yes, the client knows and agrees"),
    "no_consent": _l("No, the client does not know or does not agree"),
}
LEGAL_BASIS_LABELS = {
    "danger": _l("Serious and immediate danger"),
    "case_consultation": _l("A case consultation (article 458ter)"),
}
# The survivor's voice (core.casework.feedback): the questions in our own words,
# each with its own answers and always "I prefer not to answer". The portal
# asks them; the figures show them.
NO_ANSWER_LABEL = _l("I prefer not to answer")
FEEDBACK_QUESTIONS = {
    "felt_safe": (
        _l("Did you feel safe contacting us?"),
        {"yes": _l("Yes"), "partly": _l("Partly"), "no": _l("No")},
    ),
    "told_again": (
        _l("Did you have to tell your story again?"),
        {"no": _l("No"), "once": _l("Yes, once more"), "several_times": _l("Yes, several times")},
    ),
    "listened_to": (
        _l("Did you feel listened to?"),
        {"yes": _l("Yes"), "partly": _l("Partly"), "no": _l("No")},
    ),
    "got_help": (
        _l("Did you get the help you needed?"),
        {"yes": _l("Yes"), "partly": _l("Partly"), "no": _l("No")},
    ),
    "tell_a_friend": (
        _l("Would you tell a friend in the same situation about us?"),
        {"yes": _l("Yes"), "maybe": _l("Maybe"), "no": _l("No")},
    ),
}


# The kernel says which answers each question offers; here are their words.
assert {code: tuple(words) for code, (_, words) in FEEDBACK_QUESTIONS.items()} == QUESTIONS


ALL_LABELS = {
    "day_labels": DAY_LABELS,
    "time_labels": TIME_LABELS,
    "children_labels": CHILDREN_LABELS,
    "risk_labels": RISK_LABELS,
    "urgency_labels": URGENCY_LABELS,
    "consent_labels": CONSENT_LABELS,
    "legal_basis_labels": LEGAL_BASIS_LABELS,
}
