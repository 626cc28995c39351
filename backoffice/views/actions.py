"""The action plan of a case file: the section on the case page, adding an
action and changing its status or due date."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    request,
)
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.case_page import case_section, render_case
from backoffice.centre import centre_today, centre_zone
from backoffice.labels import (
    ACTION_STATUS_LABELS,
    PARTNER_KIND_LABELS,
)
from backoffice.records import back_to_case, case_or_404, refuse_if_closed
from core.casework import actions
from core.identity.permissions import Permission
from core.model import (
    Case,
    CaseAction,
    CasePartner,
    Staff,
)
from web.db import db


# What staff read when a rule refuses an action or a decision's owner or date.
def _action_problem(code: str, case: Case) -> str:
    if code == "due_before_opened":
        opened = format_date(actions.opened_on(case, centre_zone()), "medium")
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


def _owner_choices(case: Case) -> dict[str, list[tuple[str, str]]]:
    session = db.session
    return {
        "team": [
            (actions.Owner(staff_id=s.id).value, s.name) for s in actions.team_for(session, case)
        ],
        "partners": [
            (
                actions.Owner(partner_id=p.id).value,
                f"{p.organisation} ({PARTNER_KIND_LABELS.get(p.kind, p.kind)})",
            )
            for p in actions.partners_for(session, case)
        ],
    }


def _owner_names(case: Case, listed: list[CaseAction]) -> dict[str, str]:
    """Names of everyone who owns an action here, also former colleagues and
    partners whose consent was withdrawn since."""
    session = db.session
    staff_ids = {a.owner_staff_id for a in listed if a.owner_staff_id}
    names = {
        actions.Owner(staff_id=s.id).value: s.name
        for s in session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))
    }
    for partner in session.scalars(select(CasePartner).where(CasePartner.case_id == case.id)):
        names[actions.Owner(partner_id=partner.id).value] = partner.organisation
    return names


def owner_value(action: CaseAction) -> str:
    return actions.Owner(staff_id=action.owner_staff_id, partner_id=action.owner_partner_id).value


def _empty_action_form() -> dict:
    return {"title": "", "owner": "", "due_on": "", "errors": {}}


@case_section
def actions_section(case: Case, forms: dict) -> dict:
    session = db.session
    today = centre_today()
    listed = actions.actions_of(session, case)
    names = _owner_names(case, listed)
    return {
        "plan_actions": [
            {
                "action": a,
                "owner": names.get(owner_value(a), "–"),
                "overdue": actions.is_overdue(a, today),
                "active": a.status in actions.ACTIVE_STATUSES,
            }
            for a in listed
        ],
        "plan_action_owners": {a.id: names.get(owner_value(a), "–") for a in listed},
        "plan_owner_choices": _owner_choices(case),
        "plan_statuses": actions.STATUSES,
        "plan_status_labels": ACTION_STATUS_LABELS,
        "plan_today": today.isoformat(),
        "plan_opened_on": actions.opened_on(case, centre_zone()).isoformat(),
        "action_form": forms.get("action_form") or _empty_action_form(),
        "action_update_form": forms.get("action_update_form") or {"action_id": None},
    }


@bp.post("/cases/<int:case_id>/actions")
@requires(Permission.CASES)
def add_case_action(case_id: int):
    found = case_or_404(case_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    form = {
        "title": request.form.get("title", ""),
        "owner": request.form.get("owner", ""),
        "due_on": request.form.get("due_on", ""),
        "errors": {},
    }
    try:
        action = actions.add_action(
            db.session,
            found,
            g.staff,
            title=form["title"],
            owner=form["owner"],
            due_on=form["due_on"],
            zone=centre_zone(),
        )
    except actions.ActionError as error:
        form["errors"] = {
            field: _action_problem(code, found) for field, code in error.problems.items()
        }
        return render_case(found, action_form=form)
    db.session.commit()
    flash(_("The action is added to the plan."))
    return back_to_case(found, f"action-{action.id}")


@bp.post("/cases/<int:case_id>/actions/<int:action_id>")
@requires(Permission.CASES)
def update_case_action(case_id: int, action_id: int):
    found = case_or_404(case_id)
    action = db.session.get(CaseAction, action_id)
    if action is None or action.case_id != found.id:
        abort(404)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    status = request.form.get("status", "")
    if status not in actions.STATUSES:
        abort(400)
    # A browser always sends the date field of the row's form (blank clears
    # the date); the one-button "open again" form sends none and keeps it.
    due_on = request.form.get("due_on")
    try:
        actions.update_action(
            db.session,
            found,
            action,
            g.staff,
            status=status,
            due_on=due_on,
            change_due=due_on is not None,
            zone=centre_zone(),
        )
    except actions.ActionError as error:
        form = {
            "action_id": action.id,
            "status": status,
            "due_on": due_on or "",
            "errors": {f: _action_problem(code, found) for f, code in error.problems.items()},
        }
        return render_case(found, action_update_form=form)
    db.session.commit()
    flash(_("The action is updated."))
    return back_to_case(found, f"action-{action.id}")
