"""Forms of the requests: the queue's filters, and on a request's page the
reply through the mailbox and the triage panels."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired
from wtforms.widgets import DateInput, Select, html_params

from core.identity.staff import assignable_names
from core.intake.queue import QueueFilters
from core.intake.triage import available_channels
from core.model import Intake
from web.casefile.labels import (
    ATTEMPT_OUTCOME_LABELS,
    CHANNEL_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TRIAGE_OUTCOME_LABELS,
)
from web.db import db
from web.forms import Form, choices, too_long
from web.i18n import LANGUAGE_NAMES


class QueueFilterForm(Form):
    """The queue's filters: a GET form, so its fields are the address's
    (?status=new&kind=question) and it has no CSRF token. It shows what the
    queue understood (core.intake.queue.QueueFilters ignores an unknown value)."""

    id_prefix = "f-"

    class Meta:
        csrf = False

    status = SelectField(_l("Status"))
    kind = SelectField(_l("Door"))
    municipality = SelectField(_l("Municipality"))
    assigned = SelectField(_l("Taken by"))
    language = SelectField(_l("Language"))

    @classmethod
    def showing(
        cls,
        filters: QueueFilters,
        *,
        statuses: list[str],
        kinds: list[str],
        municipalities: list[tuple[int, str]],
        languages: list[str],
    ) -> QueueFilterForm:
        form = cls.blank(
            status=filters.status or "",
            kind=filters.kind or "",
            municipality=str(filters.municipality_id or ""),
            assigned=filters.assigned or "",
            language=filters.language or "",
        )
        form.status.choices = [
            ("", _("All open requests")),
            *((code, STATUS_LABELS[code]) for code in statuses),
            ("all", _("Everything, also closed")),
        ]
        form.kind.choices = [("", _("All doors")), *((k, KIND_LABELS[k]) for k in kinds)]
        form.municipality.choices = [
            ("", _("All municipalities")),
            *((str(municipality_id), name) for municipality_id, name in municipalities),
        ]
        form.assigned.choices = [
            ("", _("Anyone or nobody")),
            ("me", _("Me")),
            ("unassigned", _("Nobody yet")),
        ]
        form.language.choices = [
            ("", _("All languages")),
            *((code, LANGUAGE_NAMES[code]) for code in languages),
        ]
        return form


class ReplyForm(Form):
    body = TextAreaField(
        _l("Reply through the portal mailbox"),
        validators=[
            DataRequired(message=_l("Type a reply first.")),
            too_long(4000),
        ],
    )


class PanelForm(Form):
    """A form among several on one page: its fields carry the panel's prefix
    ("attempt-channel"), which is also their id, and its token is the page's
    shared `csrf_token` input, which the app-wide CSRFProtect checks on every
    POST before the view runs."""

    panel = ""

    class Meta:
        csrf = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.panel)
        super().__init__(*args, **kwargs)


class AttemptForm(PanelForm):
    panel = "attempt"

    channel = RadioField(
        _l("How did you try?"),
        choices=choices(CHANNEL_LABELS.items()),
        validators=[DataRequired(message=_l("Choose how you tried."))],
    )
    outcome = RadioField(
        _l("What happened?"),
        choices=choices(ATTEMPT_OUTCOME_LABELS.items()),
        validators=[DataRequired(message=_l("Choose what happened."))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[too_long(2000)],
    )

    def prepare(self, found: Intake) -> None:
        """Only the ways the request holds details for: an anonymous question
        offers the portal reply alone; a call needs a phone number."""
        self.channel.choices = offered_channels(found)


def offered_channels(found: Intake) -> list[tuple[str, str]]:
    """The attempt form's ways (code, label), in the form's order."""
    offered = {channel.value for channel in available_channels(found)}
    return [(code, label) for code, label in CHANNEL_LABELS.items() if code in offered]


class DecisionForm(PanelForm):
    panel = "decision"

    outcome = RadioField(
        _l("Decision"),
        choices=choices(TRIAGE_OUTCOME_LABELS.items()),
        validators=[DataRequired(message=_l("Choose a decision."))],
    )
    referred_to = StringField(
        _l("Referred to (service or organisation)"),
        validators=[too_long(200)],
    )
    referred_on = StringField(_l("Referred to the Vertrouwenscentrum on"), widget=DateInput())
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[too_long(2000)],
    )


class PlainSelect(Select):
    """wtforms' Select, writing the same markup without what it repeats on
    every render: dir() over the field's flags and inspect.signature of
    render_option, and Markup.format for every option: 601 Python calls
    for a list of two names, 314 now, and about 80 fewer for each member).
    Grouped choices and options with attributes of their own are left to
    wtforms."""

    def __call__(self, field, **kwargs):
        if field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        for name in self.validation_attrs:
            # Flags answers None for a flag that is not set (wtforms.fields.Flags).
            flag = getattr(field.flags, name)
            if flag is not None and name not in kwargs:
                kwargs[name] = flag
        params = html_params(name=field.name, **kwargs)
        options = "".join(self.render_option(choice) for choice in field._iter_choices_normalized())
        # Each part is escaped markup already (html_params, render_option).
        return Markup(f"<select {params}>{options}</select>")  # noqa: S704

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        # html_params writes its attributes sorted: "selected" before "value".
        selected = "selected " if choice.selected else ""
        value, label = escape(choice.value), escape(choice.label or choice.value)
        # Escaped above: str.format of Markup costs more than the whole option.
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704


ASSIGN_LABEL = _l("Give this request to")


class AssignForm(PanelForm):
    panel = "assign"

    # The kernel checks the account (core.intake.triage.assign); an id the list
    # did not offer is a forged or stale post, refused with 400 by the view.
    staff_id = SelectField(ASSIGN_LABEL, coerce=str, validate_choice=False, widget=PlainSelect())

    def prepare(self, found: Intake) -> None:
        self.staff_id.choices = assign_choices(found)


def assign_choices(found: Intake) -> list[tuple[str, str]]:
    """The assign list's (value, label) pairs: nobody, then who may take it."""
    return [("", _("Nobody (back to the queue)"))] + [
        (str(staff_id), name) for staff_id, name in assignable_names(db.session, found.centre_id)
    ]


def first_shown_assign_field(found: Intake) -> Markup:
    """The assign list as the `field` macro writes a blank AssignForm's, to
    the byte (nothing selected, no hint, no error), without building the form
    and running the macro: about 0.25 ms of the request page's CPU. A form
    sent back with a problem still goes through the macro. The names are the
    members' own and are read on each request: nothing here is kept.
    tests/backoffice/test_assign_field.py compares it with the macro."""
    options = "".join(
        f'<option value="{escape(value)}">{escape(label or value)}</option>'
        for value, label in assign_choices(found)
    )
    # Each part is escaped above; the rest is this function's own markup.
    return Markup(  # noqa: S704
        '\n<div class="field">\n'
        f'  <label for="{_ASSIGN_ID}">{escape(ASSIGN_LABEL)}</label>\n  \n  \n'
        f'  <select id="{_ASSIGN_ID}" name="{_ASSIGN_ID}">{options}</select>\n'
        "</div>\n\n"
    )


# The field's id and name: the panel's prefix and the field's name.
_ASSIGN_ID = "assign-staff_id"


class LinkForm(PanelForm):
    """The button next to a request that looks like the same person's."""

    other = HiddenField()


class ReadForm(PanelForm):
    """Mark a message from the requester as read ("1") or unread."""

    read = HiddenField()
