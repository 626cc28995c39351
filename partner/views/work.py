"""What a member changes in a file: the status and report of an action their
organisation owns, a note for the case director, the answer to a planned
consultation. Each change reloads access first (core.casework.partner_access)
and names its row through the file, so another file's id is "not found"."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _

from core.casework import actions, partner_work
from core.identity.permissions import Permission
from core.model import CaseAction, PlannedConsultation
from core.rules import RuleError
from partner.access import access_or_404
from partner.blueprint import bp
from partner.forms import ActionReportForm, ContributionForm, NoteForm, partner_message
from partner.views.cases import render_case
from web.accounts.permissions import requires
from web.casefile.centre import centre_today, centre_zone
from web.db import db
from web.forms import show_rule_error


def _change(case_id: int, form, key: str, change: Callable[[], None], message: str):
    """The script of each change: the kernel's call, then commit and back to
    the case page at the changed part; a refusal shows the page again with
    the form in its place (`key`), what was typed kept."""
    try:
        change()
    except RuleError as refused:
        db.session.rollback()
        show_rule_error(form, refused, partner_message)
        return render_case(access_or_404(case_id), {key: form})
    db.session.commit()
    flash(message)
    return redirect(url_for("partner.case", case_id=case_id, _anchor=key), code=303)


@bp.post("/cases/<int:case_id>/actions/<int:action_id>")
@requires(Permission.PARTNER_WORK)
def report_on_action(case_id: int, action_id: int):
    access = access_or_404(case_id)
    action = db.session.get(CaseAction, action_id)
    if action is None or not access.owns(action):
        abort(404)
    form = ActionReportForm(row=action.id)
    if form.status.data not in actions.STATUSES:
        abort(400)
    return _change(
        case_id,
        form,
        f"action-{action_id}",
        lambda: partner_work.report_on_action(
            db.session,
            access,
            g.staff,
            action,
            status=form.status.data,
            report=form.report.data,
            zone=centre_zone(),
        ),
        _("The action is saved. The case director sees it in the case file."),
    )


@bp.post("/cases/<int:case_id>/notes")
@requires(Permission.PARTNER_WORK)
def add_note(case_id: int):
    access = access_or_404(case_id)
    form = NoteForm()
    return _change(
        case_id,
        form,
        "notes",
        lambda: partner_work.add_note(db.session, access, g.staff, form.note.data),
        _("Your note is saved. The case director sees it on the timeline."),
    )


@bp.post("/cases/<int:case_id>/consultations/<int:planned_id>")
@requires(Permission.PARTNER_WORK)
def answer_consultation(case_id: int, planned_id: int):
    access = access_or_404(case_id)
    planned = db.session.get(PlannedConsultation, planned_id)
    if planned is None or planned.case_id != access.case.id or "action_plan" not in access.parts:
        abort(404)
    form = ContributionForm(row=planned.id)
    return _change(
        case_id,
        form,
        f"planned-{planned_id}",
        lambda: partner_work.contribute(
            db.session,
            access,
            g.staff,
            planned,
            attending=form.attending_answer,
            contribution=form.contribution.data,
            today=centre_today(),
        ),
        _("Your answer is saved."),
    )
