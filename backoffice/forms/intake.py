"""Forms on a request's page: the reply through the mailbox and the triage panels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from backoffice.labels import ATTEMPT_OUTCOME_LABELS, CHANNEL_LABELS, TRIAGE_OUTCOME_LABELS


def _too_long(limit: int):
    return _l("Please keep this under %(max)d characters.", max=limit)


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply through the portal mailbox"),
        validators=[
            DataRequired(message=_l("Type a reply first.")),
            Length(max=4000, message=_l("Please keep this under %(max)d characters.", max=4000)),
        ],
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
