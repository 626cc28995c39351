"""The partner face's forms: a report on an action, a note for the case
director, the answer to a planned case consultation. Several of them sit on
the case page, so each row's form gets ids of its own ("action-4-status")."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField

from core.casework import actions, partner_work
from web.casefile.labels import ACTION_STATUS_LABELS
from web.forms import Form


class RowForm(Form):
    """A form in one row of a list: `row` makes its ids ("<prefix><row>-...")."""

    row_prefix = ""

    def __init__(self, *args, row: int | None = None, **kwargs):
        if row is not None:
            self.id_prefix = f"{self.row_prefix}{row}-"
        super().__init__(*args, **kwargs)


class ActionReportForm(RowForm):
    row_prefix = "action-"

    # Any other status is a bad request (400), not a mistake to show.
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(code, ACTION_STATUS_LABELS[code]) for code in actions.STATUSES],
        validate_choice=False,
    )
    report = TextAreaField(
        _l("Short report for the case director (optional)"),
        render_kw={"maxlength": partner_work.REPORT_MAX},
    )


class NoteForm(Form):
    id_prefix = "note-"

    note = TextAreaField(
        _l("Your note for the case director"), render_kw={"maxlength": partner_work.NOTE_MAX}
    )


class ContributionForm(RowForm):
    row_prefix = "planned-"

    attending = RadioField(
        _l("Will you take part?"),
        choices=[
            SelectChoice("yes", _l("Yes, someone of our organisation takes part")),
            SelectChoice("no", _l("No, we cannot take part")),
        ],
        validate_choice=False,
    )
    contribution = TextAreaField(
        _l("What you bring to the consultation (optional)"),
        render_kw={"maxlength": partner_work.CONTRIBUTION_MAX},
    )

    @property
    def attending_answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.attending.data or "")


def partner_message(field: str, code: str) -> str:
    """What a member reads when a rule refuses a change."""
    if code == "too_long":
        return _("Please keep this shorter.")
    return {
        "note": _("Type your note."),
        "attending": _("Say whether your organisation takes part."),
        "status": _("Choose a status."),
        "case": _("This case file is closed."),
        "planned": _("This consultation has already taken place."),
    }.get(field, _("This cannot be changed."))
