"""The action plan of a case file: the section on the case page, adding an
action and changing its status or due date."""

from __future__ import annotations

from flask import abort, g, request
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, case_section, render_case
from backoffice.forms.actions import ActionForm, ActionUpdateForm
from backoffice.handlers import Done, case_change
from backoffice.records import case_url, row_of_case_or_404
from core.casework import actions, partner_access
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.model import Case, CaseAction, CasePartner, CaseStatus
from web.casefile import notices
from web.casefile.centre import centre_today, centre_zone
from web.casefile.labels import ACTION_STATUS_LABELS
from web.db import db


def action_problem(field: str, code: str) -> str:
    """What staff read when a rule refuses an action, or a decision's owner or date."""
    if code == "due_before_opened":
        # The case of the URL: loaded already, so no query.
        found = db.session.get(Case, request.view_args["case_id"])
        opened = format_date(actions.opened_on(found, centre_zone()), "medium")
        return _("The due date cannot be before the case file was opened (%(date)s).", date=opened)
    return {
        "title_missing": _("Say what has to be done."),
        "title_too_long": _("Keep it shorter: at most 500 characters."),
        "owner_missing": _("Choose who does it."),
        "owner_cannot_see": _("This colleague cannot open this case file. Choose someone else."),
        "owner_other_case": _("This partner is not in this case file."),
        "owner_withdrawn": _("This partner's consent is withdrawn. Choose someone else."),
        "due_invalid": _("Give a valid date."),
    }.get(code, _("Check this field."))


def _owner_names(case: Case, listed: list[CaseAction]) -> dict[str, str]:
    """Names of everyone who owns an action here, also former colleagues and
    partners whose consent was withdrawn since."""
    session = db.session
    names = {
        actions.Owner(staff_id=staff_id).value: name
        for staff_id, name in names_of(session, (a.owner_staff_id for a in listed)).items()
    }
    for partner in session.scalars(select(CasePartner).where(CasePartner.case_id == case.id)):
        names[actions.Owner(partner_id=partner.id).value] = partner.organisation
    return names


def owner_value(action: CaseAction) -> str:
    return actions.Owner(staff_id=action.owner_staff_id, partner_id=action.owner_partner_id).value


def _row_form(case: Case, action: CaseAction, refused: ActionUpdateForm | None):
    """The form in the row of an action still to do: the refused one with what
    was typed, else one with what the action has now."""
    if refused is not None and refused.action_id == action.id:
        return refused
    due = action.due_on.isoformat() if action.due_on else ""
    form = ActionUpdateForm(formdata=None, data={"status": action.status, "due_on": due})
    form.prepare(case)
    return form.for_action(action)


@case_section
def actions_section(case: Case, forms: dict) -> dict:
    session = db.session
    today = centre_today()
    listed = actions.actions_of(session, case)
    names = _owner_names(case, listed)
    is_open = case.status == CaseStatus.OPEN
    refused = forms.get("action_update_form")
    rows = []
    for a in listed:
        active = a.status in actions.ACTIVE_STATUSES
        rows.append(
            {
                "action": a,
                "owner": names.get(owner_value(a), "–"),
                "overdue": actions.is_overdue(a, today),
                "active": active,
                "form": _row_form(case, a, refused) if is_open and active else None,
            }
        )
    add_form = forms.get("action_form")
    if add_form is None and is_open:
        add_form = ActionForm(formdata=None)
        add_form.prepare(case)
    return {
        "plan_actions": rows,
        "plan_action_owners": {a.id: names.get(owner_value(a), "–") for a in listed},
        "plan_status_labels": ACTION_STATUS_LABELS,
        "action_form": add_form,
        "action_update_form": refused,
    }


@bp.post("/cases/<int:case_id>/actions")
@requires(Permission.CASES)
@case_change(
    form=ActionForm,
    page=case_page_with("action_form"),
    messages=action_problem,
)
def add_case_action(found: Case, form: ActionForm) -> Done:
    action = actions.add_action(
        db.session,
        found,
        g.staff,
        title=form.title.data,
        owner=form.owner.data,
        due_on=form.due_on.data,
        zone=centre_zone(),
    )
    return Done(
        _("The action is added to the plan."),
        case_url(found, f"action-{action.id}"),
        after_commit=tell_owning_partners(found, [action]),
    )


def tell_owning_partners(found: Case, made: list[CaseAction]):
    """After the commit: an e-mail to the members of each partner that now
    owns a new action (no details: web.casefile.notices)."""
    owners = {a.owner_partner_id for a in made if a.owner_partner_id is not None}
    if not owners:
        return None
    members = partner_access.members_to_tell(db.session, found, partner_ids=owners)
    return lambda: notices.tell(members, notices.NEW_ACTION)


def _update_page(found: Case, form: ActionUpdateForm, action_id: int):
    action = row_of_case_or_404(CaseAction, found, action_id)
    return render_case(found, action_update_form=form.for_action(action))


@bp.post("/cases/<int:case_id>/actions/<int:action_id>")
@requires(Permission.CASES)
@case_change(form=ActionUpdateForm, page=_update_page, messages=action_problem)
def update_case_action(found: Case, form: ActionUpdateForm, action_id: int) -> Done:
    action = row_of_case_or_404(CaseAction, found, action_id)
    if form.status.data not in actions.STATUSES:
        abort(400)
    actions.update_action(
        db.session,
        found,
        action,
        g.staff,
        status=form.status.data,
        due_on=form.due_on.data,
        change_due=form.due_sent,
        zone=centre_zone(),
    )
    return Done(_("The action is updated."), case_url(found, f"action-{action.id}"))
