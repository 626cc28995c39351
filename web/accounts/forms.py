"""The forms of signing in: e-mail and password, the second factor, accepting
an invitation; and what a person reads when an account rule says no."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from core.identity.passwords import MAX_LENGTH, MIN_LENGTH
from web.forms import Form


class LoginForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Type your e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Type your password.")),
            Length(max=128, message=_l("This password is too long.")),
        ],
    )


def new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(max=MAX_LENGTH, message=_l("This password is too long.")),
        ],
    )


# What the policy's refusals (core.identity.passwords.PasswordRejected.code) say to a person.
PASSWORD_PROBLEMS = {
    "too_short": _l("Use at least %(min)d characters.", min=MIN_LENGTH),
    "too_long": _l("Use at most %(max)d characters.", max=MAX_LENGTH),
    "common": _l("This password is one of the most used ones. Choose another."),
    "personal": _l("Your password cannot be your e-mail address or your name."),
}


def account_message(field: str, code: str) -> str:
    """What a person reads when an account rule refuses a change
    (core.identity.accounts): on the field the rule names."""
    if field == "new_password":
        return str(PASSWORD_PROBLEMS[code])
    return {
        "current_password": _("Your current password is not right."),
        "email": _("There is already an account with this e-mail address."),
        "code": _("This code is not right. Type the code your app shows now."),
    }[field]


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(message=_l("Type the code.")),
            Length(max=40, message=_l("This code is too long.")),
        ],
    )


class AcceptInviteForm(Form):
    new_password = new_password_field(_l("Choose a password"))


class PasswordChangeForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Type your current password.")),
            Length(max=MAX_LENGTH, message=_l("This password is too long.")),
        ],
    )
    new_password = new_password_field(_l("New password"))


class RecoveryCodesForm(Form):
    """New recovery codes: the password again, as for changing it."""

    current_password = PasswordField(
        _l("Your password"),
        validators=[
            DataRequired(message=_l("Type your current password.")),
            Length(max=MAX_LENGTH, message=_l("This password is too long.")),
        ],
    )
