"""Case files: the list, one file's page, opening from a request, members, closure."""

from __future__ import annotations

from flask import (
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from backoffice.access import (
    record_read,
    requires,
)
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, render_case
from backoffice.forms.case import CloseForm, MemberForm
from backoffice.handlers import Done, case_change
from backoffice.records import back_to_case, case_or_404, case_url, intake_or_404
from core.casework import cases
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.infra.ids import parse_id
from core.model import (
    Case,
    CaseStatus,
    IntakeStatus,
    Staff,
    TriageOutcome,
)
from core.rules import RuleError
from web.db import db


@bp.get("/cases")
@requires(Permission.CASES)
def case_list():
    status = request.args.get("status", "")
    status = status if status in (CaseStatus.OPEN, CaseStatus.CLOSED) else ""
    number = request.args.get("page", "1")
    page = cases.case_page(
        db.session,
        g.staff,
        centre_id=g.centre.id,
        status=status or None,
        page=min(parse_id(number) or 1, 10_000),
    )
    directors = names_of(db.session, (case.director_id for case in page.cases))
    return render_template(
        "backoffice/case_list.html", page=page, status=status, directors=directors
    )


@bp.post("/intakes/<int:intake_id>/case")
@requires(Permission.CASES)
def open_case(intake_id: int):
    intake = intake_or_404(intake_id)
    track = intake.outcome if intake.status == IntakeStatus.DECIDED else None
    if track not in cases.CASE_TRACKS:
        flash(_("Decide track 2 or 3 first; then open the case file."))
        return redirect(url_for("backoffice.intake", intake_id=intake.id), code=303)
    try:
        case = cases.open_case(
            db.session,
            cases.intakes_to_open_with(db.session, intake),
            g.staff,
            track=TriageOutcome(track),
        )
    except RuleError:
        flash(_("This request already belongs to a case file."))
        return redirect(url_for("backoffice.intake", intake_id=intake.id), code=303)
    db.session.commit()
    flash(_("Case file %(number)s is open.", number=case.number))
    return back_to_case(case)


@bp.get("/cases/<int:case_id>")
@requires(Permission.CASES)
def case(case_id: int):
    found = case_or_404(case_id)
    record_read("case.viewed", target_type="case", target_id=found.id)
    return render_case(found)


@bp.post("/cases/<int:case_id>/members")
@requires(Permission.CASES)
@case_change(form=MemberForm, open_only=False)
def add_case_member(found: Case, form: MemberForm) -> Done:
    member = db.session.get(Staff, form.staff_id.data)
    cases.add_member(db.session, found, member, g.staff)
    return Done(_("%(name)s can now open this case file.", name=member.name), case_url(found))


def close_message(field: str, code: str) -> str:
    return _("Choose a reason to close the case file.")


@bp.post("/cases/<int:case_id>/close")
@requires(Permission.CASES)
@case_change(
    form=CloseForm,
    page=case_page_with("close_form"),
    messages=close_message,
)
def close_case(found: Case, form: CloseForm) -> Done:
    cases.close(db.session, found, g.staff, form.reason.data or "", form.note.data)
    return Done(_("The case file is closed."), case_url(found))


@bp.post("/cases/<int:case_id>/reopen")
@requires(Permission.CASES)
@case_change(open_only=False)
def reopen_case(found: Case, _form: None) -> Done:
    cases.reopen(db.session, found, g.staff)
    return Done(_("The case file is open again."), case_url(found))
