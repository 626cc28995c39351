"""A person's safe-contact rules in words staff act on, beside each number
and address (core.intake.contact_rules holds them as codes). The request
page, the victim's card, the print and the contact-attempt form all use
these words, so the rules read the same wherever someone is about to reach
out."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from core.casework.contact import rules_of
from core.intake.contact_rules import ContactRules
from core.model import CasePerson, Intake
from web.casefile.labels import AGE_RANGE_LABELS
from web.i18n import LANGUAGE_NAMES
from web.labels import DAY_LABELS, TIME_LABELS


@dataclass(frozen=True)
class RuleLine:
    """One line: what it is about, the number or address (shown left to right,
    may be None) and the rule in words."""

    label: str
    value: str | None
    rule: str
    # A line staff must not miss: nothing may be used, or only the referrer.
    stop: bool = False


def _language_name(code: str | None) -> str | None:
    """The language in the reader's words ("Perzisch", "persan"): staff read
    which language to speak, not its own name in its own script."""
    if not code:
        return None
    try:
        return Locale.parse(code).get_display_name(str(get_locale() or "nl")) or code
    except (ValueError, UnknownLocaleError):
        return LANGUAGE_NAMES.get(code, code)


def _joined(words: list[str]) -> str:
    return format_list(words, locale=str(get_locale() or "nl"))


def phone_rule(rules: ContactRules) -> str:
    ways = rules.phone_ways
    words = {"call": _("calls"), "text": _("text messages"), "voicemail": _("voicemail")}
    if not ways:
        allowed = _("Do not call, text or leave a voicemail: the person did not allow it.")
    else:
        allowed = _("Only %(ways)s.", ways=_joined([words[way] for way in ways]))
        never = {
            "call": _("No calls."),
            "text": _("No text messages."),
            "voicemail": _("No voicemail."),
        }
        refused = [never[way] for way in ("call", "text", "voicemail") if way not in ways]
        allowed = " ".join([allowed, *refused])
    if rules.phone_say_who:
        return allowed + " " + _("You may say you are calling from the Family Justice Center.")
    return allowed + " " + _("Do not say who you are.")


def email_rule(rules: ContactRules) -> str:
    if rules.email_say_who:
        return _("E-mail allowed. It may say it is from the Family Justice Center.")
    return _("E-mail allowed. It must not say who it is from.")


def times_rule(rules: ContactRules) -> str:
    if not rules.safe_days and not rules.safe_times:
        return _("The person gave no safe days or times.")
    if rules.safe_days:
        days = _(
            "Safe days: %(days)s.", days=_joined([str(DAY_LABELS[d]) for d in rules.safe_days])
        )
    else:
        days = _("Any day.")
    if rules.safe_times:
        times = _(
            "Safe times: %(times)s.",
            times=_joined([str(TIME_LABELS[t]) for t in rules.safe_times]),
        )
    else:
        times = _("Any time of day.")
    return f"{days} {times}"


def referrer_words(rules: ContactRules) -> str:
    who = ", ".join(part for part in (rules.referrer_name, rules.referrer_organisation) if part)
    return who or _("the referrer")


def describe(rules: ContactRules, *, on_paper: bool = False) -> list[RuleLine]:
    """The rules, line by line, the way to reach her first. On paper (every
    print, see docs/staff-guide.md) a safe word is said to exist, not written:
    paper travels, and the word protects her only while few people know it."""
    if rules.portal_only:
        return [
            RuleLine(
                _("How to reach the person"),
                None,
                _("Anonymous question: answer only through the portal mailbox."),
                stop=True,
            )
        ]
    lines: list[RuleLine] = []
    if rules.young:
        age = AGE_RANGE_LABELS.get(rules.age_range or "not_said", AGE_RANGE_LABELS["not_said"])
        lines.append(
            RuleLine(
                _("A young person"),
                None,
                _(
                    "Under 18 (%(age)s). Reach them only in the ways they chose. "
                    "Do not contact their parents unless they agree.",
                    age=age,
                ),
                stop=True,
            )
        )
    if rules.trusted_adult:
        lines.append(
            RuleLine(
                _("Through a trusted adult"),
                None,
                _("The adult or school contact they named: %(who)s", who=rules.trusted_adult),
            )
        )
    if rules.via_referrer:
        contact = rules.referrer_phone or rules.referrer_email
        lines.append(
            RuleLine(
                _("Contact through the referrer"),
                contact,
                _(
                    "First contact goes through %(who)s, not to the person directly.",
                    who=referrer_words(rules),
                ),
                stop=True,
            )
        )
    if rules.phone:
        lines.append(
            RuleLine(_("Phone"), rules.phone, phone_rule(rules), stop=not rules.phone_ways)
        )
    if rules.email:
        lines.append(RuleLine(_("E-mail"), rules.email, email_rule(rules)))
    if not (rules.phone or rules.email or rules.via_referrer or rules.trusted_adult):
        lines.append(
            RuleLine(
                _("How to reach the person"),
                None,
                _("No phone or e-mail given: answer through the portal mailbox."),
                stop=True,
            )
        )
    lines.append(RuleLine(_("When"), None, times_rule(rules)))
    if rules.safe_word:
        word = (
            _("A safe word was agreed. Ask the case director for it.")
            if on_paper
            else _("Safe word or question: %(word)s", word=rules.safe_word)
        )
        lines.append(RuleLine(_("Safe word"), None, word))
    language = _language_name(rules.contact_language)
    if language:
        speak = _("Speak %(language)s.", language=language)
        if rules.interpreter_needed:
            speak += " " + _("An interpreter is needed.")
        lines.append(RuleLine(_("Language"), None, speak))
    elif rules.interpreter_needed:
        lines.append(RuleLine(_("Language"), None, _("An interpreter is needed.")))
    return lines


def lines_for(record: Intake | CasePerson, *, on_paper: bool = False) -> list[RuleLine] | None:
    """The lines for a request or a person in a case file; None for a person
    staff added (their contact safety is the words staff wrote)."""
    if isinstance(record, Intake):
        return describe(ContactRules.of(record), on_paper=on_paper)
    rules = rules_of(record)
    return None if rules is None else describe(rules, on_paper=on_paper)
