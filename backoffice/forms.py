from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
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


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply through the portal mailbox"),
        validators=[
            DataRequired(message=_l("Type a reply first.")),
            Length(max=4000, message=_l("Please keep this under %(max)d characters.", max=4000)),
        ],
    )
