"""The action plan and the case consultations of a case file, and the overdue
actions on the staff home page. Rules live in core.casework.actions and
core.casework.consultations; this module turns forms into calls and codes into words."""

from __future__ import annotations

from flask import abort, flash, g, request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from backoffice import bp
from backoffice.access import requires
from backoffice.cases import (
    audit_case,
    back_to_case,
    case_or_404,
    case_section,
    refuse_if_closed,
    render_case,
)
from backoffice.centre import centre_today, centre_zone
from backoffice.labels import ACTION_STATUS_LABELS, CONSULTATION_BASIS_LABELS, PARTNER_KIND_LABELS
from core.casework import actions, consultations
from core.identity.permissions import Permission
from core.model import Case, CaseAction, CasePartner, Staff
from web.db import db

# Rows on the consultation form; blank rows are ignored.
PARTICIPANT_ROWS = 6
DECISION_ROWS = 5


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


def _consultation_problem(code: str, case: Case) -> str:
    return {
        "held_on_missing": _("Give the date of the consultation."),
        "held_on_invalid": _("Give a valid date."),
        "held_on_future": _("The date of the consultation cannot be in the future."),
        "legal_basis_missing": _("Choose the legal basis of the consultation."),
        "participants_too_few": _("Give at least two participants."),
        "participant_incomplete": _("Give both the name and the organisation."),
        "participant_too_long": _("Keep each field under 500 characters."),
        "decision_missing": _("Write the decision, or clear its owner and date."),
        "decision_too_long": _("Keep it shorter: at most 500 characters."),
        "decision_due_without_owner": _("Choose who does it, or clear the date."),
        "notes_too_long": _("Keep the notes under 4,000 characters."),
    }.get(code) or _action_problem(code, case)


# --- the case page section -------------------------------------------------


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


def _empty_consultation_form() -> dict:
    return {
        "held_on": centre_today().isoformat(),
        "legal_basis": "",
        "participants": [{"name": "", "organisation": ""} for _ in range(PARTICIPANT_ROWS)],
        "decisions": [{"text": "", "owner": "", "due_on": ""} for _ in range(DECISION_ROWS)],
        "notes": "",
        "errors": {},
        "summary": [],
    }


@case_section
def plans_section(case: Case, forms: dict) -> dict:
    session = db.session
    today = centre_today()
    listed = actions.actions_of(session, case)
    names = _owner_names(case, listed)
    held = consultations.consultations_of(session, case)
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
        "plan_consultation_dates": {c.consultation.id: c.consultation.held_on for c in held},
        "plan_consultations": held,
        "plan_owner_choices": _owner_choices(case),
        "plan_statuses": actions.STATUSES,
        "plan_status_labels": ACTION_STATUS_LABELS,
        "plan_legal_bases": consultations.LEGAL_BASES,
        "plan_legal_basis_labels": CONSULTATION_BASIS_LABELS,
        "plan_today": today.isoformat(),
        "plan_opened_on": actions.opened_on(case, centre_zone()).isoformat(),
        "action_form": forms.get("action_form") or _empty_action_form(),
        "action_update_form": forms.get("action_update_form") or {"action_id": None},
        "consultation_form": forms.get("consultation_form") or _empty_consultation_form(),
    }


# --- the action plan --------------------------------------------------------


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
    owner_kind = actions.STAFF_OWNER if action.owner_staff_id else actions.PARTNER_OWNER
    audit_case("case.action_added", found, detail=f"action {action.id} {owner_kind}")
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
        before = actions.update_action(
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
    audit_case("case.action_updated", found, detail=f"action {action.id} {before} {status}")
    db.session.commit()
    flash(_("The action is updated."))
    return back_to_case(found, f"action-{action.id}")


# --- case consultations -----------------------------------------------------


def _consultation_form_from_request() -> dict:
    return {
        "held_on": request.form.get("held_on", ""),
        "legal_basis": request.form.get("legal_basis", ""),
        "participants": [
            {
                "name": request.form.get(f"participant-{n}-name", ""),
                "organisation": request.form.get(f"participant-{n}-organisation", ""),
            }
            for n in range(1, PARTICIPANT_ROWS + 1)
        ],
        "decisions": [
            {
                "text": request.form.get(f"decision-{n}-text", ""),
                "owner": request.form.get(f"decision-{n}-owner", ""),
                "due_on": request.form.get(f"decision-{n}-due", ""),
            }
            for n in range(1, DECISION_ROWS + 1)
        ],
        "notes": request.form.get("notes", ""),
        "errors": {},
        "summary": [],
    }


def _summary_line(field: str, message: str) -> str:
    """The error summary names the row, as the field itself sits inside it."""
    kind, _sep, rest = field.partition("-")
    number = rest.split("-")[0]
    if kind == "participant" and number.isdigit():
        return _("Participant %(number)s: %(problem)s", number=number, problem=message)
    if kind == "decision" and number.isdigit():
        return _("Decision %(number)s: %(problem)s", number=number, problem=message)
    return message


@bp.post("/cases/<int:case_id>/consultations")
@requires(Permission.CASES)
def record_case_consultation(case_id: int):
    found = case_or_404(case_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    form = _consultation_form_from_request()
    try:
        consultation, created = consultations.record_consultation(
            db.session,
            found,
            g.staff,
            held_on=form["held_on"],
            legal_basis=form["legal_basis"],
            participants=form["participants"],
            decisions=[consultations.Decision(**row) for row in form["decisions"]],
            notes=form["notes"],
            today=centre_today(),
            zone=centre_zone(),
        )
    except consultations.ConsultationError as error:
        form["errors"] = {
            field: _consultation_problem(code, found) for field, code in error.problems.items()
        }
        form["summary"] = [
            (field, _summary_line(field, message)) for field, message in form["errors"].items()
        ]
        return render_case(found, consultation_form=form)
    created_ids = ",".join(str(a.id) for a in created) or "none"
    audit_case(
        "case.consultation_recorded",
        found,
        detail=f"consultation {consultation.id} {consultation.legal_basis} actions {created_ids}",
    )
    db.session.commit()
    flash(
        ngettext(
            "The case consultation is recorded, with %(num)d new action in the plan.",
            "The case consultation is recorded, with %(num)d new actions in the plan.",
            len(created),
        )
        if created
        else _("The case consultation is recorded.")
    )
    return back_to_case(found, f"consultation-{consultation.id}")
