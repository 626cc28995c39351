"""Portal forms. Messages are plain language and translated; a form that comes
back with an error keeps everything the person typed."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional, ValidationError

from core.casework.feedback import FREE_TEXT_MAX, NO_ANSWER, QUESTIONS
from core.infra.ids import parse_id
from core.intake import return_codes
from core.intake.intakes import RISK_CONCERNS
from core.intake.mailbox import MESSAGE_MAX
from core.network.centres import MunicipalityOffer
from web.forms import CheckboxesField, PhoneField, choices, too_long
from web.i18n import LANGUAGE_NAMES
from web.labels import (
    CHILDREN_LABELS,
    CONSENT_LABELS,
    DAY_LABELS,
    FEEDBACK_QUESTIONS,
    LEGAL_BASIS_LABELS,
    NO_ANSWER_LABEL,
    RISK_LABELS,
    TIME_LABELS,
    URGENCY_LABELS,
)

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
TEXT_MAX = 4000
SHORT_MAX = 200
# C0 control characters other than tab and newlines: never meaningful in what a
# person types, and PostgreSQL refuses NUL in text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str | None:
    return _CONTROL_CHARS.sub("", value) if isinstance(value, str) else value


def _text(label, limit: int = SHORT_MAX, **kwargs) -> StringField:
    return StringField(
        label, filters=[clean_text], validators=[Optional(), too_long(limit)], **kwargs
    )


def _required_text(label, message, limit: int = SHORT_MAX) -> StringField:
    return StringField(
        label, filters=[clean_text], validators=[DataRequired(message=message), too_long(limit)]
    )


def _phone(label) -> PhoneField:
    # Checked and written one way (web.forms.PhoneField); a number too long
    # to call is refused with the same words as one too short.
    return PhoneField(label, filters=[clean_text], validators=[Optional()])


def _long_text(label, limit: int = TEXT_MAX) -> TextAreaField:
    return TextAreaField(label, filters=[clean_text], validators=[Optional(), too_long(limit)])


def _radio(label, pairs) -> RadioField:
    return RadioField(label, choices=choices(pairs), validate_choice=False)


def _check_radio(field) -> None:
    if field.data not in (None, "", *[choice.value for choice in field.choices]):
        raise ValidationError(_l("Choose one of the answers."))


def filled(field) -> bool:
    return bool((field.data or "").strip())


def check_email(field) -> None:
    value = (field.data or "").strip()
    if value and not EMAIL_PATTERN.match(value):
        raise ValidationError(_l("Type an e-mail address like name@example.be."))


# Each permission names who acts (the team) and who is reached ("me" on door 1,
# "the client" on door 3): "You may call" read as the person's own action.
SAY_WHO_LABEL = _l("The team may say they are from the Family Justice Center")
EMAIL_SAY_WHO_LABEL = _l(
    "The team may write in the e-mail that it is from the Family Justice Center"
)
PHONE_PERMISSION_CHOICES = [
    ("call", _l("The team may call me")),
    ("text", _l("The team may send me a text message")),
    ("voicemail", _l("The team may leave me a voicemail")),
    ("say_who", SAY_WHO_LABEL),
]
CLIENT_PHONE_PERMISSION_CHOICES = [
    ("call", _l("The team may call the client")),
    ("text", _l("The team may send the client a text message")),
    ("voicemail", _l("The team may leave the client a voicemail")),
    ("say_who", SAY_WHO_LABEL),
]
OTHER_MUNICIPALITY = "other"


def offer_municipalities(form, offer: MunicipalityOffer | None, choose, other) -> None:
    """The options of "Where do you live?", between "Choose" and "another
    municipality". A form page reads the list to show it. A form sent is
    checked by its answer's one row (offers_municipality) and reads the list
    only if it is shown again: WTForms calls a callable when the choices are
    first read (after inspecting its signature, too slow for every page)."""

    def listed() -> list[SelectChoice]:
        return [
            SelectChoice("", choose),
            *(SelectChoice(str(id_), name) for id_, name in (offer.listed() if offer else ())),
            SelectChoice(OTHER_MUNICIPALITY, other),
        ]

    form.municipality.choices = listed if form.is_submitted() else listed()


def offers_municipality(offer: MunicipalityOffer | None, answer: str | None) -> bool:
    """Whether the answer is one the question offers (its one row, not the list)."""
    if answer in (None, "", OTHER_MUNICIPALITY):
        return True
    municipality_id = parse_id(answer)
    return (
        offer is not None
        and municipality_id is not None
        and str(municipality_id) == answer
        and offer.offers(municipality_id)
    )


class HoneypotMixin:
    # Invisible to people (hidden by CSS and from screen readers); bots fill it.
    website = StringField(_l("Leave this field empty"))

    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


class SafeContactForm(HoneypotMixin, FlaskForm):
    """The safe-contact questions, shared by door 1 and door 3."""

    name = _text(_l("What may we call you? (optional)"))
    phone = _phone(_l("Phone number"))
    phone_permissions = CheckboxesField(
        _l("What may we do with this number?"), choices=choices(PHONE_PERMISSION_CHOICES)
    )
    email = _text(_l("E-mail address"), limit=254)
    email_say_who = BooleanField(EMAIL_SAY_WHO_LABEL)
    safe_days = CheckboxesField(
        _l("On which days is it safe?"), choices=choices(DAY_LABELS.items())
    )
    safe_times = CheckboxesField(
        _l("At what times is it safe?"), choices=choices(TIME_LABELS.items())
    )
    safe_word = _text(_l("A safe word or question (optional)"), limit=100)
    contact_language = SelectField(
        _l("In which language do you want to talk?"), validate_choice=False
    )
    interpreter_needed = BooleanField(_l("I would like an interpreter"))
    municipality = SelectField(_l("Where do you live?"), validate_choice=False)
    children_involved = _radio(_l("Are there children in the family?"), CHILDREN_LABELS.items())
    # A one-time id per form, so a double tap or a reload makes one request, not two.
    submission_id = HiddenField()

    def __init__(
        self, *args, languages=(), municipalities: MunicipalityOffer | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self._municipalities = municipalities
        # Each language in its own name, marked so screen readers say it right.
        self.contact_language.choices = [
            SelectChoice(code, LANGUAGE_NAMES.get(code, code), render_kw={"lang": code})
            for code in languages
        ]
        offer_municipalities(
            self,
            municipalities,
            _l("Choose"),
            _l("Another municipality, or I would rather not say"),
        )

    def validate_email(self, field):
        check_email(field)

    def validate_phone_permissions(self, field):
        chosen = set(field.data or [])
        if filled(self.phone) and not chosen & {"call", "text", "voicemail"}:
            raise ValidationError(
                _l("Tell us how we may use this number: call, text or voicemail.")
            )

    def validate_municipality(self, field):
        if not offers_municipality(self._municipalities, field.data):
            raise ValidationError(_l("Choose from the list."))

    def validate_children_involved(self, field):
        _check_radio(field)

    def validate_contact_language(self, field):
        if field.data not in (None, "", *[choice.value for choice in field.choices]):
            raise ValidationError(_l("Choose from the list."))

    def has_a_way_to_reach(self) -> bool:
        return filled(self.phone) or filled(self.email)

    def municipality_id(self) -> int | None:
        return parse_id(self.municipality.data)


class ContactForm(SafeContactForm):
    """Door 1: ask to be contacted."""

    danger_now = _radio(_l("Are you in danger right now?"), [("yes", _l("Yes")), ("no", _l("No"))])
    story = _long_text(_l("What would you like to tell us? (optional)"))

    def validate_danger_now(self, field):
        _check_radio(field)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.has_a_way_to_reach():
            self.phone.errors = [
                *self.phone.errors,
                _l("Give a phone number or an e-mail address, so we can reach you."),
            ]
            return False
        return valid


class QuestionForm(HoneypotMixin, FlaskForm):
    """Door 2: a question without any contact details."""

    question = TextAreaField(
        _l("Your question"), filters=[clean_text], validators=[too_long(TEXT_MAX)]
    )
    submission_id = HiddenField()

    def validate_question(self, field):
        if not filled(field):
            raise ValidationError(_l("Type your question."))


CLIENT_LABELS = {
    "name": _l("What may we call the client? (optional)"),
    "phone": _l("The client's phone number"),
    "email": _l("The client's e-mail address"),
    "contact_language": _l("In which language does the client want to talk?"),
    "interpreter_needed": _l("The client needs an interpreter"),
    "municipality": _l("Where does the client live?"),
}


class ReferralForm(SafeContactForm):
    """Door 3: a professional refers someone."""

    referrer_organisation = _required_text(
        _l("Your organisation"), _l("Type the name of your organisation.")
    )
    referrer_role = _text(_l("Your role (optional)"))
    referrer_name = _required_text(_l("Your name"), _l("Type your name."))
    referrer_phone = _phone(_l("Your phone number"))
    # Not Optional(): its check must also run when it is empty (phone or e-mail).
    referrer_email = StringField(
        _l("Your e-mail address"), filters=[clean_text], validators=[too_long(254)]
    )
    contact_via_referrer = BooleanField(_l("Contact the client through me, not directly"))
    client_consent = _radio(
        _l("Does the client know about this referral and agree?"),
        CONSENT_LABELS.items(),
    )
    legal_basis = _radio(
        _l("Without consent: on what basis do you refer?"),
        LEGAL_BASIS_LABELS.items(),
    )
    basis_note = _long_text(_l("Explain the basis (optional)"), limit=1000)
    risk_concerns = CheckboxesField(
        _l("Which risks do you see?"),
        choices=choices((code, RISK_LABELS[code]) for code in RISK_CONCERNS),
    )
    risk_text = _long_text(_l("Other concerns (optional)"))
    urgency = _radio(
        _l("How urgent is it?"),
        URGENCY_LABELS.items(),
    )
    story = _long_text(_l("What should the team know? (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CLIENT_LABELS.items():
            self[name].label.text = label
        # The same values, worded for the client: the referrer is not "me".
        self.phone_permissions.choices = choices(CLIENT_PHONE_PERMISSION_CHOICES)

    def validate_referrer_email(self, field):
        check_email(field)
        if not filled(field) and not filled(self.referrer_phone):
            raise ValidationError(_l("Give your phone number or your e-mail address."))

    def validate_client_consent(self, field):
        _check_radio(field)
        if not field.data:
            raise ValidationError(_l("Tell us if the client knows and agrees."))

    def validate_legal_basis(self, field):
        _check_radio(field)
        if self.client_consent.data == "no_consent" and not field.data:
            raise ValidationError(_l("Without consent, choose the basis for this referral."))

    def validate_urgency(self, field):
        _check_radio(field)
        if not field.data:
            raise ValidationError(_l("Tell us how urgent it is."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.has_a_way_to_reach() and not self.contact_via_referrer.data:
            self.phone.errors = [
                *self.phone.errors,
                _l(
                    "Give the client's phone number or e-mail address, or tick "
                    "'Contact the client through me'."
                ),
            ]
            return False
        return valid


RETURN_CODE_MAX = 40


class ReturnCodeForm(FlaskForm):
    code = StringField(
        _l("Your return code"), filters=[clean_text], validators=[too_long(RETURN_CODE_MAX)]
    )

    def validate_code(self, field):
        if not filled(field):
            raise ValidationError(_l("Type the 16 digits of your return code."))

    @staticmethod
    def well_formed_code(formdata) -> str | None:
        """The code field as the form would hand it on, when the form would
        certainly accept it (16 digits, spaces and dashes aside, within the
        length limit); else None, and only the form can say what is wrong.
        Read without building the form: a code that opens a mailbox answers
        with a redirect, and needs no form nor a new CSRF token. (The token
        sent is checked for every POST before the view: web.security.csrf.)"""
        cleaned = clean_text(formdata.get("code"))
        if not isinstance(cleaned, str) or len(cleaned) > RETURN_CODE_MAX:
            return None
        return cleaned if return_codes.normalise(cleaned) is not None else None


class AddInformationForm(FlaskForm):
    body = TextAreaField(
        _l("Add information or ask something"),
        filters=[clean_text],
        validators=[too_long(MESSAGE_MAX)],
    )

    def validate_body(self, field):
        if not filled(field):
            raise ValidationError(_l("Type your message first."))


class ConfirmForm(FlaskForm):
    """Only a CSRF token: a button that confirms an action."""


def _feedback_radio(code: str) -> RadioField:
    label, answers = FEEDBACK_QUESTIONS[code]
    offered = [(answer, answers[answer]) for answer in QUESTIONS[code]]
    return _radio(label, [*offered, (NO_ANSWER, NO_ANSWER_LABEL)])


class FeedbackForm(FlaskForm):
    """Every question may stay empty: nothing here is required."""

    felt_safe = _feedback_radio("felt_safe")
    told_again = _feedback_radio("told_again")
    listened_to = _feedback_radio("listened_to")
    got_help = _feedback_radio("got_help")
    tell_a_friend = _feedback_radio("tell_a_friend")
    free_text = TextAreaField(
        _l("Is there anything else you want to tell us? (optional)"),
        filters=[clean_text],
        validators=[too_long(FREE_TEXT_MAX)],
    )

    def validate_felt_safe(self, field):
        _check_radio(field)

    def validate_told_again(self, field):
        _check_radio(field)

    def validate_listened_to(self, field):
        _check_radio(field)

    def validate_got_help(self, field):
        _check_radio(field)

    def validate_tell_a_friend(self, field):
        _check_radio(field)


# A young person's ways in. Each choice says who acts ("we"), as the adults'
# permissions do; none of them is the parents.
YOUNG_REACH_CHOICES = [
    ("text", _l("We send you a text message")),
    ("call", _l("We call you, at a time you choose")),
    ("email", _l("We send you an e-mail")),
    ("trusted_adult", _l("Through an adult you trust, or your school")),
    ("code", _l("No contact: you come back here with a code")),
]
AGE_RANGE_CHOICES = [
    ("under_12", _l("Under 12")),
    ("12_13", _l("12 or 13")),
    ("14_15", _l("14 or 15")),
    ("16_17", _l("16 or 17")),
    ("not_said", _l("I'd rather not say")),
]


class YoungForm(HoneypotMixin, FlaskForm):
    """The door for young people: short questions, their own ways in, never
    their parents' consent."""

    safe_now = _radio(_l("Are you safe right now?"), [("yes", _l("Yes")), ("no", _l("No"))])
    story = _long_text(_l("What is happening? (you don't have to say)"))
    reach = _radio(_l("How can we reach you safely?"), YOUNG_REACH_CHOICES)
    # "young people": the words of this door are informal in every language
    # (du, tu, ты), where the adults' doors may be formal.
    phone = _phone(lazy_pgettext("young people", "Your phone number"))
    safe_times = CheckboxesField(
        _l("When is it safe to call or text you?"), choices=choices(TIME_LABELS.items())
    )
    email = _text(lazy_pgettext("young people", "Your e-mail address"), limit=254)
    trusted_adult = _long_text(_l("Who is this adult, and how can we reach them?"), limit=500)
    age_range = _radio(_l("How old are you?"), AGE_RANGE_CHOICES)
    municipality = SelectField(
        lazy_pgettext("young people", "Where do you live?"), validate_choice=False
    )
    submission_id = HiddenField()

    def __init__(self, *args, municipalities: MunicipalityOffer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._municipalities = municipalities
        offer_municipalities(
            self,
            municipalities,
            lazy_pgettext("young people", "Choose"),
            lazy_pgettext("young people", "Another municipality, or I'd rather not say"),
        )

    def validate_safe_now(self, field):
        _check_radio(field)

    def validate_age_range(self, field):
        _check_radio(field)

    def validate_email(self, field):
        check_email(field)

    def validate_municipality(self, field):
        if not offers_municipality(self._municipalities, field.data):
            raise ValidationError(_l("Choose from the list."))

    def validate_reach(self, field):
        if not field.data:
            raise ValidationError(_l("Choose how we can reach you. You can also choose a code."))
        _check_radio(field)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # The way in they chose needs its details, on that detail's own field
        # (after the fields' own checks, which would clear it).
        needs = {
            "text": (self.phone, _l("Type your phone number, so we can send you a text.")),
            "call": (self.phone, _l("Type your phone number, so we can call you.")),
            "email": (self.email, _l("Type your e-mail address, so we can write to you.")),
            "trusted_adult": (
                self.trusted_adult,
                _l("Tell us who the adult is and how we can reach them."),
            ),
        }
        if self.reach.data in needs:
            target, message = needs[self.reach.data]
            if not filled(target):
                target.errors = [*target.errors, message]
                return False
        return valid

    def municipality_id(self) -> int | None:
        return parse_id(self.municipality.data)
