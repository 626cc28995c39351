"""The form that records a case consultation: the date, the legal basis, rows
of participants and rows of decisions, and notes.

Rows are numbered from 1 as people count them, in the names a browser posts
("participant-1-name", "decision-2-owner") as in the kernel's problems, and
each row is labelled so ("Participant 2"), which the error summary puts before
a row's problem. Blank rows are ignored by the kernel."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.utils import unset_value

from backoffice.forms.actions import DayField, opened_on, owner_choices
from core.casework import actions, consultations
from core.casework.consultations import LEGAL_BASES
from core.model import Case
from web.casefile.centre import centre_today
from web.casefile.labels import CONSULTATION_BASIS_LABELS
from web.forms import Form

PARTICIPANT_ROWS = 6
DECISION_ROWS = 5


class Rows(FieldList):
    """A fixed number of rows, numbered from 1: each row reads its own names
    from what was posted, so a row left out of a post is an empty row, not a
    reason to number the others differently."""

    def __init__(self, unbound_field, *, rows: int, row_label, **kwargs):
        super().__init__(unbound_field, min_entries=rows, max_entries=rows, **kwargs)
        self.row_label = row_label

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.entries = []
        self.last_index = 0
        self.object_data = data
        while len(self.entries) < self.min_entries:
            entry = self._add_entry(formdata)
            entry.label.text = self.row_label(entry.index)


class CodeRadioField(RadioField):
    """Radios whose ids name their code ("consultation-basis-consent"), not
    their place in the list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "RadioField"  # drawn by field() as a group of radios

    def __iter__(self):
        for option in super().__iter__():
            option.id = f"{self.id}-{option.data}"
            option.label.field_id = option.id
            yield option


class _Row(Form):
    class Meta:
        csrf = False  # the consultation form carries the token

    id_prefix = "consultation-"


class ParticipantRow(_Row):
    name = StringField(_l("Name"), render_kw={"maxlength": consultations.TEXT_MAX})
    organisation = StringField(_l("Organisation"), render_kw={"maxlength": consultations.TEXT_MAX})


class DecisionRow(_Row):
    text = StringField(_l("What was decided"), render_kw={"maxlength": actions.TITLE_MAX})
    owner = SelectField(_l("Who does it (optional)"), validate_choice=False)
    due = DayField(_l("Due date (optional)"))


class ConsultationForm(Form):
    id_prefix = "consultation-"
    id_hyphens = True
    field_ids = {"legal_basis": "consultation-basis"}

    held_on = DayField(_l("Date of the consultation"))
    legal_basis = CodeRadioField(
        _l("Legal basis"),
        choices=[SelectChoice(code, CONSULTATION_BASIS_LABELS[code]) for code in LEGAL_BASES],
        validate_choice=False,
    )
    participant = Rows(
        FormField(ParticipantRow),
        rows=PARTICIPANT_ROWS,
        row_label=lambda n: _l("Participant %(number)d", number=n),
    )
    decision = Rows(
        FormField(DecisionRow),
        rows=DECISION_ROWS,
        row_label=lambda n: _l("Decision %(number)d", number=n),
    )
    notes = TextAreaField(_l("Notes (optional)"), render_kw={"maxlength": consultations.NOTES_MAX})

    def prepare(self, found: Case) -> None:
        self.held_on.render_kw = {"max": centre_today().isoformat()}
        nobody = owner_choices(found, _("Nobody: no action in the plan"))
        earliest = {"min": opened_on(found)}
        for row in self.decision:
            row.form.owner.choices = nobody
            row.form.due.render_kw = earliest

    @property
    def rule_fields(self) -> dict[str, str]:  # type: ignore[override]
        """Where the kernel's row problems are shown: a half-filled row on its
        name; too few participants on the first name still to fill in."""
        rows = list(self.participant)
        fields = {f"participant-{row.index}": row.form["name"].name for row in rows}
        empty = next((row for row in rows if not (row.form["name"].data or "").strip()), rows[0])
        fields["participants"] = empty.form["name"].name
        return fields

    def participant_rows(self) -> list[dict]:
        return [
            {"name": row.form["name"].data or "", "organisation": row.form.organisation.data or ""}
            for row in self.participant
        ]

    def decision_rows(self) -> list[consultations.Decision]:
        return [
            consultations.Decision(
                text=row.form.text.data or "",
                owner=row.form.owner.data or "",
                due_on=row.form.due.data or "",
            )
            for row in self.decision
        ]
