"""Portal forms. Messages are plain language and translated; every form keeps
what the person typed when it comes back with an error."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{6,25}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
STORY_MAX = 4000


# C0 control characters other than tab and newlines: never meaningful in what a
# person types, and PostgreSQL refuses NUL in text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str | None:
    return _CONTROL_CHARS.sub("", value) if value is not None else None


def _phone_digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


class ContactForm(FlaskForm):
    phone = StringField(
        _l("Phone number"),
        filters=[clean_text],
        validators=[Optional(), Length(max=25, message=_l("This phone number is too long."))],
    )
    may_call = RadioField(
        _l("May we call this number?"),
        validate_choice=False,
        choices=[
            SelectChoice("yes", _l("Yes, you may call")),
            SelectChoice("no", _l("No, do not call")),
        ],
    )
    email = StringField(
        _l("E-mail address"),
        filters=[clean_text],
        validators=[Optional(), Length(max=254, message=_l("This e-mail address is too long."))],
    )
    story = TextAreaField(
        _l("What would you like to tell us? (optional)"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(
                max=STORY_MAX,
                message=_l("Please keep this under %(max)d characters.", max=STORY_MAX),
            ),
        ],
    )
    # A one-time id per form, so a double tap or a reload makes one request, not two.
    submission_id = HiddenField()

    def validate_phone(self, field):
        value = (field.data or "").strip()
        if value and (not PHONE_PATTERN.match(value) or _phone_digits(value) < 6):
            raise ValidationError(_l("Type a phone number with digits only, like 0470 12 34 56."))

    def validate_email(self, field):
        value = (field.data or "").strip()
        if value and not EMAIL_PATTERN.match(value):
            raise ValidationError(_l("Type an e-mail address like name@example.be."))

    def validate_may_call(self, field):
        if field.data not in (None, "", "yes", "no"):
            raise ValidationError(_l("Choose one of the answers."))
        if (self.phone.data or "").strip() and not field.data:
            raise ValidationError(_l("Tell us if we may call this number."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.phone.data or "").strip() and not (self.email.data or "").strip():
            self.phone.errors = [
                *self.phone.errors,
                _l("Give a phone number or an e-mail address, so we can reach you."),
            ]
            return False
        return valid
