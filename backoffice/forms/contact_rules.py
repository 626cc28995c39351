"""The form that changes how a person in a case file may be reached: the same
questions the portal asked her, in the words staff use, filled with her
record (core.intake.contact_rules)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import ValidationError

from core.intake.contact_rules import SAFE_WORD_MAX, ContactRules
from core.intake.intakes import SafeContact
from web.forms import CheckboxesField, Form, PhoneField, choices, too_long
from web.i18n import LANGUAGE_NAMES
from web.labels import DAY_LABELS, TIME_LABELS

PHONE_WAY_CHOICES = [
    ("call", _l("We may call")),
    ("text", _l("We may send a text message")),
    ("voicemail", _l("We may leave a voicemail")),
]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ContactRulesForm(Form):
    phone = PhoneField(_l("Phone number"), validators=[too_long(40)])
    phone_ways = CheckboxesField(
        _l("What may we do with this number?"), choices=choices(PHONE_WAY_CHOICES)
    )
    phone_say_who = BooleanField(
        _l("On the phone we may say we are from the Family Justice Center")
    )
    email = StringField(_l("E-mail address"), validators=[too_long(254)])
    email_say_who = BooleanField(_l("The e-mail may say it is from the Family Justice Center"))
    safe_days = CheckboxesField(_l("Safe days"), choices=choices(DAY_LABELS.items()))
    safe_times = CheckboxesField(_l("Safe times"), choices=choices(TIME_LABELS.items()))
    safe_word = StringField(_l("Safe word or question"), validators=[too_long(SAFE_WORD_MAX)])
    contact_language = SelectField(_l("Language for contact"), validate_choice=False)
    interpreter_needed = BooleanField(_l("An interpreter is needed"))
    via_referrer = BooleanField(_l("First contact goes through the referrer"))

    def prepare(self, found) -> None:
        self.contact_language.choices = [("", _l("Not said"))] + [
            (code, name) for code, name in LANGUAGE_NAMES.items()
        ]

    @classmethod
    def showing(cls, rules: ContactRules) -> ContactRulesForm:
        return cls.blank(
            phone=rules.phone or "",
            phone_ways=list(rules.phone_ways),
            phone_say_who=bool(rules.phone_say_who),
            email=rules.email or "",
            email_say_who=bool(rules.email_say_who),
            safe_days=list(rules.safe_days),
            safe_times=list(rules.safe_times),
            safe_word=rules.safe_word or "",
            contact_language=rules.contact_language or "",
            interpreter_needed=bool(rules.interpreter_needed),
            via_referrer=rules.via_referrer,
        )

    def validate_email(self, field):
        value = (field.data or "").strip()
        if value and not _EMAIL.match(value):
            raise ValidationError(_l("Write the e-mail address like name@example.be."))

    def validate_phone_ways(self, field):
        if (self.phone.data or "").strip() and not field.data:
            raise ValidationError(
                _l("Say what we may do with this number. Remove the number if nothing is safe.")
            )

    def validate_contact_language(self, field):
        if field.data not in ("", None, *LANGUAGE_NAMES):
            raise ValidationError(_l("Choose from the list."))

    def contact(self) -> SafeContact:
        ways = set(self.phone_ways.data or ())
        return SafeContact(
            phone=self.phone.data,
            email=(self.email.data or "").strip() or None,
            may_call="call" in ways,
            may_text="text" in ways,
            may_voicemail="voicemail" in ways,
            phone_say_who=bool(self.phone_say_who.data),
            email_say_who=bool(self.email_say_who.data),
            safe_days=tuple(self.safe_days.data or ()),
            safe_times=tuple(self.safe_times.data or ()),
            safe_word=self.safe_word.data,
            contact_language=self.contact_language.data or None,
            interpreter_needed=bool(self.interpreter_needed.data),
        )
