"""Forms of staff accounts: passwords, recovery codes, invitations (signing in
is web.accounts.forms, shared with the partner face)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, Length, Regexp

from core.identity.passwords import MAX_LENGTH
from web.accounts.forms import new_password_field
from web.forms import Form, too_long

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$"


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


class InviteForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Type an e-mail address.")),
            Regexp(EMAIL_PATTERN, message=_l("This is not an e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Type a name.")),
            too_long(200),
        ],
    )
    role = RadioField(
        _l("Role"),
        choices=[
            SelectChoice("case_director", _l("Case director")),
            SelectChoice("coordinator", _l("Coordinator")),
            SelectChoice("admin", _l("Administrator")),
        ],
        validators=[DataRequired(message=_l("Choose a role."))],
    )
