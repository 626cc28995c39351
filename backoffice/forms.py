from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Regexp

from backoffice.labels import ATTEMPT_OUTCOME_LABELS, CHANNEL_LABELS, TRIAGE_OUTCOME_LABELS
from core.identity.passwords import MAX_LENGTH, MIN_LENGTH


def _too_long(limit: int):
    return _l("Please keep this under %(max)d characters.", max=limit)


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


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(max=MAX_LENGTH, message=_l("This password is too long.")),
        ],
    )


EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$"
# What the policy's refusals (core.identity.passwords.PasswordRejected.code) say to a person.
PASSWORD_PROBLEMS = {
    "too_short": _l("Use at least %(min)d characters.", min=MIN_LENGTH),
    "too_long": _l("Use at most %(max)d characters.", max=MAX_LENGTH),
    "common": _l("This password is one of the most used ones. Choose another."),
    "personal": _l("Your password cannot be your e-mail address or your name."),
}


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(message=_l("Type the code.")),
            Length(max=40, message=_l("This code is too long.")),
        ],
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Type your current password.")),
            Length(max=MAX_LENGTH, message=_l("This password is too long.")),
        ],
    )
    new_password = _new_password_field(_l("New password"))


class AcceptInviteForm(FlaskForm):
    new_password = _new_password_field(_l("Choose a password"))


class InviteForm(FlaskForm):
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
            Length(max=200, message=_too_long(200)),
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


def _choices(labels) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in labels.items()]


class PanelForm(FlaskForm):
    """A form among several on one page: its fields carry a prefix so ids stay
    unique, and its token is the page's shared `csrf_token` input, which the
    app-wide CSRFProtect checks on every POST before the view runs."""

    class Meta:
        csrf = False


class AttemptForm(PanelForm):
    channel = RadioField(
        _l("How did you try?"),
        choices=_choices(CHANNEL_LABELS),
        validators=[DataRequired(message=_l("Choose how you tried."))],
    )
    outcome = RadioField(
        _l("What happened?"),
        choices=_choices(ATTEMPT_OUTCOME_LABELS),
        validators=[DataRequired(message=_l("Choose what happened."))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Length(max=2000, message=_too_long(2000))],
    )
    confirm_unsafe = BooleanField(
        _l("I checked with the person that this is safe now (for example, they asked for it).")
    )


class DecisionForm(PanelForm):
    outcome = RadioField(
        _l("Decision"),
        choices=_choices(TRIAGE_OUTCOME_LABELS),
        validators=[DataRequired(message=_l("Choose a decision."))],
    )
    referred_to = StringField(
        _l("Referred to (service or organisation)"),
        validators=[Length(max=200, message=_too_long(200))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Length(max=2000, message=_too_long(2000))],
    )


class AssignForm(PanelForm):
    staff_id = SelectField(_l("Give this request to"), coerce=str, validate_choice=True)
