"""Retention staff can see (coordinators): what the purge will erase in the
next 30 days, the legal holds in force with their review dates, and what
the purge erased, month by month. Placing and lifting a hold; the hold's
part of a case file's page and of a request's page.

The retention page shows numbers, kinds, tracks and dates, never what a
record says: the links lead to the records, which audit their own reads.
A record or hold of another centre is not found (404), whatever its id."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.case_page import case_section, render_case
from backoffice.forms.retention import FROM_CASE, FROM_REQUEST, HoldForm, LiftForm
from backoffice.records import case_or_404, case_url
from core.governance import retention, retention_holds
from core.identity.permissions import Permission, role_allows
from core.identity.staff import names_of
from core.infra import clock
from core.model import Case, CaseHold, Intake
from core.rules import RuleError
from web.casefile.centre import centre_today
from web.db import db
from web.forms import show_rule_error


def hold_message(field: str, code: str) -> str:
    """What a coordinator reads when a hold rule says no."""
    if field == "record":
        return {
            "missing": _("Type the number of the case file or the request."),
            "not_found": _(
                "No case file or request of this centre has this number. "
                "Write a case file as 2026-0042, a request as #123."
            ),
            "erased": _("Its personal data were erased already: there is nothing to keep."),
            "already_held": _("A legal hold keeps it already."),
            "in_case_file": _(
                "This request is part of a case file: place the hold on the case file."
            ),
        }.get(code, _("Check the number."))
    if field == "reason":
        if code == "too_long":
            return _(
                "Keep the reason to %(max)s characters or fewer.",
                max=retention_holds.REASON_MAX,
            )
        return _("Say why it must be kept.")
    if field == "review_on":
        return {
            "not_a_date": _("Type the date as day, month and year."),
            "not_in_the_future": _("Choose a date after today."),
            "too_far": _(
                "Choose a date within %(years)s years.", years=retention_holds.REVIEW_MAX_YEARS
            ),
        }.get(code, _("Choose when to look at the hold again."))
    return _("Check this.")


def _may_hold() -> bool:
    return role_allows(g.staff.role, Permission.DATA_SUBJECT_RIGHTS)


def _month_words(month: str) -> str:
    """ "June 2027" for "2027-06", in the reader's language."""
    return format_date(date.fromisoformat(f"{month}-01"), "MMMM y")


def render_retention(hold_form: HoldForm | None = None):
    session = db.session
    centre_id = g.centre.id
    holds = retention_holds.holds_in_force(session, centre_id)
    traces = retention.traces(session, centre_id)
    return render_template(
        "backoffice/rights/retention.html",
        preview=retention.preview(session, current_app.config, centre_id),
        holds=holds,
        placed_by=names_of(session, (line.placed_by_id for line in holds)),
        purge_traces=traces,
        trace_months={line.month: _month_words(line.month) for line in traces},
        last_purge=retention.last_purge(session),
        today=centre_today(),
        now=clock.now(),
        hold_form=hold_form or HoldForm.blank(),
    )


@bp.get("/rights/retention")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def retention_page():
    record_read("retention.viewed")
    return render_retention()


def _refused(form: HoldForm):
    """The page the form came from, again, with the form and its problems:
    the case file's page when it came from there, else the retention page."""
    if form.came_from.data == FROM_CASE:
        try:
            record = retention_holds.find_record(db.session, g.centre.id, form.record.data)
        except RuleError:
            record = None
        if isinstance(record, Case):
            return render_case(case_or_404(record.id), hold_form=form)
    return render_retention(hold_form=form)


@bp.post("/rights/retention/holds")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def place_hold():
    form = HoldForm()
    if not form.validate():
        return _refused(form)
    try:
        record, _hold = retention_holds.place_by_number(
            db.session,
            g.centre.id,
            form.record.data,
            g.staff,
            reason=form.reason.data,
            review_on=form.review_on.data,
            today=centre_today(),
        )
    except RuleError as error:
        db.session.rollback()
        show_rule_error(form, error, hold_message)
        return _refused(form)
    db.session.commit()
    flash(_("The legal hold is placed. The purge will not erase it until the hold is lifted."))
    return redirect(_back(form.came_from.data, record), code=303)


def _back(came_from: str | None, record: Case | Intake) -> str:
    if came_from == FROM_CASE and isinstance(record, Case):
        return case_url(record, "legal-hold")
    if came_from == FROM_REQUEST and isinstance(record, Intake):
        return url_for("backoffice.intake", intake_id=record.id, _anchor="legal-hold")
    return url_for("backoffice.retention_page", _anchor="holds")


@bp.post("/rights/retention/holds/<int:hold_id>/lift")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def lift_hold(hold_id: int):
    form = LiftForm()
    if not form.validate():
        abort(400)
    hold = retention_holds.hold_of_centre(db.session, g.centre.id, form.kind.data or "", hold_id)
    if hold is None:
        abort(404)
    record: Case | Intake | None
    if isinstance(hold, CaseHold):
        record = db.session.get(Case, hold.case_id)
    else:
        record = db.session.get(Intake, hold.intake_id)
    try:
        retention_holds.lift(db.session, hold, g.staff)
    except RuleError:
        db.session.rollback()
        flash(_("This legal hold was lifted already."))
    else:
        db.session.commit()
        flash(_("The legal hold is lifted. The purge treats it like any other record now."))
    if record is None:
        return redirect(url_for("backoffice.retention_page", _anchor="holds"), code=303)
    return redirect(_back(form.came_from.data, record), code=303)


@case_section
def legal_hold_section(found: Case, forms: dict) -> dict:
    """The case page's "Legal hold" part, for those who may place one."""
    if not _may_hold() or found.erased_at is not None:
        return {"legal_hold_shown": False}
    hold = retention_holds.active_case_hold(db.session, found.id)
    return {
        "legal_hold_shown": True,
        "legal_hold": hold,
        "legal_hold_by": names_of(db.session, [hold.placed_by_id]) if hold else {},
        "hold_form": forms.get("hold_form") or HoldForm.blank(),
        "legal_hold_today": centre_today(),
    }


@bp.app_template_global()
def legal_hold_of_request(intake: Intake, case: Case | None, held: bool | None = None) -> dict:
    """The request page's "Legal hold" part (the page has no sections): the
    hold in force and who placed it, for those who may see holds. `case` is
    the request's case file as the page found it (render_intake), not asked
    again; `held`, whether a hold is in force, when the page read that too
    (backoffice.records.request_page_or_404): without one nothing is asked."""
    if g.get("staff") is None or not _may_hold() or intake.status == "erased":
        return {"shown": False}
    hold = retention_holds.active_intake_hold(db.session, intake.id) if held is not False else None
    if hold is None and case is not None:
        # The file keeps its requests: its page is where a hold is placed.
        return {"shown": False}
    return {
        "shown": True,
        "hold": hold,
        "by": names_of(db.session, [hold.placed_by_id]) if hold else {},
    }
