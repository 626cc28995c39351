"""A member's case files: the list, one file in the parts its basis allows,
and its print (or download), marked confidential. Every view of a file is on
its timeline and in the audit trail, with the parts it showed."""

from __future__ import annotations

from flask import g, make_response, render_template, request

from core.casework import partner_access, partner_work, partners
from core.casework.partner_access import Access
from core.identity.permissions import Permission
from core.infra import clock
from core.model import Case
from partner.access import access_or_404
from partner.blueprint import bp
from partner.forms import ActionReportForm, ContributionForm, NoteForm
from web.accounts.permissions import requires
from web.casefile.centre import centre_today
from web.casefile.content import gather
from web.casefile.labels import (
    ACTION_STATUS_LABELS,
    CONSULTATION_BASIS_LABELS,
    PARTNER_PART_LABELS,
    RELATION_KIND_LABELS,
)
from web.db import db


@bp.get("/")
@requires(Permission.PARTNER_WORK)
def home():
    return render_template(
        "partner/home.html",
        accesses=partner_access.cases_for(db.session, g.staff),
        part_labels=PARTNER_PART_LABELS,
    )


def _record_read(access: Access, *, printed: bool = False) -> None:
    """A GET has no write transaction: it opens one of its own. A refused
    change shows the page again in its own (rolled back) transaction: the
    read goes in it, alone."""
    if request.method == "HEAD":
        return  # nothing was shown
    if request.method != "GET":
        partner_access.record_read(db.session, access, g.staff, printed=printed)
        db.session.commit()
        return
    with db.writing() as session:
        partner_access.record_read(
            session,
            Access(session.get(Case, access.case.id), access.partners, access.parts),
            g.staff,
            printed=printed,
        )


def _file_context(access: Access) -> dict:
    visible = set(access.parts)
    return {
        "case": access.case,
        "access": access,
        "visible": visible,
        "shown": [part for part in partners.PARTS if part in visible],
        "left_out": [part for part in partners.PARTS if part not in visible],
        "part_labels": PARTNER_PART_LABELS,
        "relation_labels": RELATION_KIND_LABELS,
        "action_status_labels": ACTION_STATUS_LABELS,
        "consultation_basis_labels": CONSULTATION_BASIS_LABELS,
        **gather(db.session, access.case, visible, for_partner=True),
    }


def render_case(access: Access, forms: dict | None = None):
    """The case page; `forms` holds a refused form in its place ("notes",
    "action-<id>", "planned-<id>"), so what the member typed stays."""
    forms = forms or {}
    today = centre_today()
    owned = partner_work.owned_actions(db.session, access)
    planned = (
        partner_work.planned_of(db.session, access.case, today)
        if "action_plan" in access.parts
        else []
    )
    action_forms = {
        a.id: forms.get(f"action-{a.id}")
        or ActionReportForm.blank(row=a.id, status=a.status, report=a.report)
        for a in owned
    }
    planned_forms = {}
    for view in planned:
        mine = next((c for c in view.contributions if c.staff_id == g.staff.id), None)
        planned_forms[view.planned.id] = forms.get(f"planned-{view.planned.id}") or (
            ContributionForm.blank(
                row=view.planned.id,
                attending=None if mine is None else ("yes" if mine.attending else "no"),
                contribution=None if mine is None else mine.contribution,
            )
        )
    _record_read(access)
    return render_template(
        "partner/case.html",
        owned_actions=owned,
        action_forms=action_forms,
        planned=planned,
        planned_forms=planned_forms,
        note_form=forms.get("notes") or NoteForm.blank(),
        own_notes=partner_work.own_notes(db.session, access, g.staff),
        **_file_context(access),
    )


@bp.get("/cases/<int:case_id>")
@requires(Permission.PARTNER_WORK)
def case(case_id: int):
    return render_case(access_or_404(case_id))


@bp.get("/cases/<int:case_id>/print")
@requires(Permission.PARTNER_WORK)
def case_print(case_id: int):
    """The member's view on paper; `?download=1` saves the same page as a file."""
    access = access_or_404(case_id)
    _record_read(access, printed=True)
    response = make_response(
        render_template("partner/case_print.html", printed_at=clock.now(), **_file_context(access))
    )
    if request.args.get("download") == "1":
        name = f"confidential-case-file-{access.case.number}.html"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
