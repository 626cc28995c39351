"""Forms of the action plan: adding an action, and changing one in its row.

The kernel checks every value (core.casework.actions) and says what is wrong
with it; the forms read what was posted and keep it for the page again. Who
may own an action depends on the file, so the owner choices are set in
prepare(found)."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Label, SelectChoice, SelectField, StringField
from wtforms.widgets import DateInput

from core.casework import actions
from core.model import Case, CaseAction
from web.casefile.centre import centre_zone
from web.casefile.labels import ACTION_STATUS_LABELS, PARTNER_KIND_LABELS
from web.db import db
from web.forms import Form


class DayField(StringField):
    """A date as the browser's date input sends it ("2026-12-01"). Kept as
    text: the kernel reads it and says what is wrong with it."""

    widget = DateInput()


def owner_choices(found: Case, empty_label: str) -> list[SelectChoice]:
    """Who may own an action in this file, after an empty first choice: the
    team, then the partners, each in a group of its own."""
    return [SelectChoice("", empty_label), *_owners(found)]


def _owners(found: Case) -> list[SelectChoice]:
    # Read once a request (g lives as long as the request): the add form and
    # every decision row of the consultation form offer the same people, so
    # the page's query count stays flat.
    cached = g.get("action_owners")
    if cached is not None and cached[0] == found.id:
        return cached[1]
    session = db.session
    team = [
        SelectChoice(actions.Owner(staff_id=s.id).value, s.name, optgroup=_("Team"))
        for s in actions.team_for(session, found)
    ]
    partners = [
        SelectChoice(
            actions.Owner(partner_id=p.id).value,
            f"{p.organisation} ({PARTNER_KIND_LABELS.get(p.kind, p.kind)})",
            optgroup=_("Partners"),
        )
        for p in actions.partners_for(session, found)
    ]
    g.action_owners = (found.id, team + partners)
    return team + partners


def opened_on(found: Case) -> str:
    """The earliest due date a browser's date picker offers."""
    return actions.opened_on(found, centre_zone()).isoformat()


class ActionForm(Form):
    id_prefix = "action-add-"
    field_ids = {"due_on": "action-add-due"}

    title = StringField(_l("What has to be done"), render_kw={"maxlength": actions.TITLE_MAX})
    owner = SelectField(_l("Who does it"), validate_choice=False)
    due_on = DayField(_l("Due date (optional)"))

    def prepare(self, found: Case) -> None:
        self.owner.choices = owner_choices(found, _("Choose who does it"))
        self.due_on.render_kw = {"min": opened_on(found)}


class ActionUpdateForm(Form):
    """The form in an action's row: its status and due date."""

    # Any other status is a bad request (400), not a mistake to show.
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(code, ACTION_STATUS_LABELS[code]) for code in actions.STATUSES],
        validate_choice=False,
    )
    due_on = DayField(_l("Due date"))

    action_id: int | None = None

    def prepare(self, found: Case) -> None:
        self.due_on.render_kw = {"min": opened_on(found)}

    def for_action(self, action: CaseAction) -> ActionUpdateForm:
        """The ids of the action's row ("action-12-status", "action-12-due"),
        and labels that name the action for a screen reader, which hears a
        field without the table around it."""
        self.action_id = action.id
        for f, text, name in (
            (self.status, _("Status"), "status"),
            (self.due_on, _("Due date"), "due"),
        ):
            f.id = f"action-{action.id}-{name}"
            named = Markup('{}<span class="visually-hidden">: {}</span>').format(text, action.title)
            f.label = Label(f.id, named)
        return self

    @property
    def due_sent(self) -> bool:
        # A browser always sends the date field of the row's form (blank
        # clears the date); the one-button "open again" form sends none and
        # keeps it.
        return bool(getattr(self.due_on, "raw_data", None))
