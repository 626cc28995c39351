"""Forms of staff accounts: passwords, recovery codes, invitations (signing in
is web.accounts.forms, shared with the partner face)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, Length, Regexp

from web.forms import Form, too_long

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$"


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
