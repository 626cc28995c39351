"""Case files: the list, one file, opening from a request, members, closure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from backoffice import bp
from backoffice.access import record_read, requires
from backoffice.centre import centre_today, centre_zone
from backoffice.intakes import intake_or_404
from backoffice.labels import PARTNER_PART_LABELS
from core.casework import cases, partners, risk
from core.governance import audit
from core.identity.permissions import Permission
from core.model import (
    Case,
    CaseMember,
    CasePartner,
    CaseStatus,
    IntakeStatus,
    Role,
    Staff,
    TriageOutcome,
)
from web.db import db

# Sections of the case page that live in modules of their own (people, plans,
# consultations) register a function here: given the case and the forms of a
# refused POST (by name), it returns the template context of its section.
CaseSection = Callable[[Case, dict], dict]
CASE_SECTIONS: list[CaseSection] = []


def case_section(section: CaseSection) -> CaseSection:
    CASE_SECTIONS.append(section)
    return section


def case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    # Deny by default per file: the role allows case files, membership this one.
    if not cases.can_view(g.staff, case, db.session):
        abort(403)
    return case


def back_to_case(case: Case, anchor: str | None = None):
    """After a change: the case page, at the part that changed."""
    return redirect(url_for("backoffice.case", case_id=case.id, _anchor=anchor), code=303)


def refuse_if_closed(case: Case):
    """A closed file shows no forms, but a page opened before it closed may
    still send one: nothing changes, and the case page says why."""
    if case.status == CaseStatus.OPEN:
        return None
    flash(_("This case file is closed. Open it again to make changes."))
    return back_to_case(case)


def audit_case(action: str, case: Case, detail: str | None = None) -> None:
    audit.record(
        db.session,
        action,
        actor_id=g.staff.id,
        target_type="case",
        target_id=case.id,
        detail=detail,
    )


@bp.get("/cases")
@requires(Permission.CASES)
def case_list():
    status = request.args.get("status", "")
    status = status if status in (CaseStatus.OPEN, CaseStatus.CLOSED) else ""
    number = request.args.get("page", "1")
    page = cases.case_page(
        db.session,
        g.staff,
        status=status or None,
        page=int(number) if number.isdigit() else 1,
    )
    director_ids = {case.director_id for case in page.cases}
    directors = {
        staff.id: staff.name
        for staff in db.session.scalars(select(Staff).where(Staff.id.in_(director_ids)))
    }
    return render_template("backoffice/cases.html", page=page, status=status, directors=directors)


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
    except cases.CaseError:
        flash(_("This request already belongs to a case file."))
        return redirect(url_for("backoffice.intake", intake_id=intake.id), code=303)
    audit_case("case.opened", case, detail=f"from intake {intake.id}")
    db.session.commit()
    flash(_("Case file %(number)s is open.", number=case.number))
    return back_to_case(case)


@bp.get("/cases/<int:case_id>")
@requires(Permission.CASES)
def case(case_id: int):
    found = case_or_404(case_id)
    record_read("case.viewed", target_type="case", target_id=found.id)
    return render_case(found)


def render_case(
    found: Case,
    risk_form: dict | None = None,
    partner_form: dict | None = None,
    **forms: dict,
):
    """The case page; a refused form comes back in `forms` with what was typed."""
    session = db.session
    sections: dict = {}
    for section in CASE_SECTIONS:
        sections.update(section(found, forms))
    member_ids = set(
        session.scalars(select(CaseMember.staff_id).where(CaseMember.case_id == found.id))
    )
    staff_by_id = {s.id: s for s in session.scalars(select(Staff))}
    return render_template(
        "backoffice/case.html",
        case=found,
        director=staff_by_id.get(found.director_id),
        members=[staff_by_id[i] for i in sorted(member_ids) if i in staff_by_id],
        candidates=[
            s
            for s in staff_by_id.values()
            if s.role == Role.CASE_DIRECTOR
            and s.is_active
            and s.id not in member_ids
            and s.id != found.director_id
        ],
        staff_by_id=staff_by_id,
        reasons=cases.CLOSURE_REASONS,
        **_risk_context(found, risk_form),
        **_partner_context(found, partner_form),
        **sections,
    )


def _risk_instrument() -> risk.Instrument:
    return risk.current(current_app.config["FJC_RISK_INSTRUMENT"])


def _risk_context(found: Case, risk_form: dict | None) -> dict:
    language = str(get_locale() or "en")
    return {
        "risk_instrument": _risk_instrument(),
        "risk_history": risk.history(db.session, found),
        "risk_instruments": risk.instruments(),
        "risk_form": risk_form or {"answers": {}, "judged": "", "reason": "", "errors": {}},
        "risk_levels": risk.LEVELS,
        "risk_answers": risk.ANSWERS,
        "risk_sources": risk.SOURCES,
        "language": language.split("_")[0],
    }


# What staff read when a rule refuses an assessment.
def _risk_error(code: str) -> str:
    return {
        "answers": _("Answer every question: yes, no or unknown."),
        "sources": _("Say where each yes or no answer comes from."),
        "reason": _("Give a reason to set the level lower than the computed level."),
    }.get(code, _("Choose a level."))


@bp.post("/cases/<int:case_id>/risk")
@requires(Permission.CASES)
def assess_risk(case_id: int):
    found = case_or_404(case_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    instrument = _risk_instrument()
    answers = {
        item.code: {
            "answer": request.form.get(f"answer-{item.code}", ""),
            "source": request.form.get(f"source-{item.code}", ""),
        }
        for item in instrument.items
    }
    judged = request.form.get("judged_level", "")
    reason = request.form.get("judgement_reason", "")
    try:
        assessment = risk.assess(
            db.session, found, g.staff, instrument, answers, judged or None, reason
        )
    except risk.AssessmentError as error:
        form = {
            "answers": answers,
            "judged": judged,
            "reason": reason,
            "errors": {error.code: _risk_error(error.code)},
        }
        return render_case(found, form)
    audit_case("case.risk_assessed", found, detail=f"{instrument.key} {assessment.final_level}")
    db.session.commit()
    flash(_("The risk assessment is saved."))
    return back_to_case(found, "risk")


def _partner_context(found: Case, partner_form: dict | None) -> dict:
    listed = partners.partners_of(db.session, found)
    return {
        "partners": [(p, sorted(partners.may_see(p), key=partners.PARTS.index)) for p in listed],
        "partner_kinds": partners.KINDS,
        "partner_bases": partners.BASES,
        "partner_parts": partners.PARTS,
        "partner_part_labels": PARTNER_PART_LABELS,
        "partner_form": partner_form
        or {"scope": [], "given_on": centre_today().isoformat(), "errors": {}},
    }


# What staff read when a rule refuses a partner.
def _partner_error(code: str) -> str:
    return {
        "kind": _("Choose the kind of organisation."),
        "organisation": _("Name the organisation."),
        "basis": _("Choose the basis for sharing: consent or a case consultation."),
        "scope": _("Tick what the client agreed may be shared."),
        "given_at": _("Give the date the client gave consent; it cannot be in the future."),
        "organisation_length": _(
            "Keep the organisation's name to %(max)s characters or fewer.",
            max=partners.FIELD_MAX["organisation"],
        ),
        "contact_name_length": _(
            "Keep the contact person to %(max)s characters or fewer.",
            max=partners.FIELD_MAX["contact_name"],
        ),
        "contact_details_length": _(
            "Keep the contact details to %(max)s characters or fewer.",
            max=partners.FIELD_MAX["contact_details"],
        ),
    }.get(code, _("Check the partner's details."))


def _partner_errors(error: partners.PartnerError) -> dict[str, str]:
    """The refusal keyed by the field it is about, so the form marks that field."""
    return {error.code.removesuffix("_length"): _partner_error(error.code)}


def _given_at(value: str) -> datetime | None:
    """The date from the form, as the start of that day where the centre is."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=centre_zone())


# What a partner's details are, on the add form and on the edit page alike.
PARTNER_DETAILS = ("kind", "organisation", "contact_name", "contact_details")


def _partner_details_from_request() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in PARTNER_DETAILS}


@bp.post("/cases/<int:case_id>/partners")
@requires(Permission.CASES)
def add_case_partner(case_id: int):
    found = case_or_404(case_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    form = {
        **_partner_details_from_request(),
        "basis": request.form.get("basis", ""),
        "scope": request.form.getlist("scope"),
        "given_on": request.form.get("consent_given_on", ""),
        "errors": {},
    }
    try:
        partner = partners.add_partner(
            db.session,
            found,
            g.staff,
            kind=form["kind"],
            organisation=form["organisation"],
            basis=form["basis"],
            contact_name=form["contact_name"],
            contact_details=form["contact_details"],
            scope=form["scope"],
            consent_given_at=_given_at(form["given_on"]),
        )
    except partners.PartnerError as error:
        form["errors"] = _partner_errors(error)
        return render_case(found, partner_form=form)
    audit_case(
        "case.partner_added", found, detail=f"partner {partner.id} {partner.kind} {partner.basis}"
    )
    db.session.commit()
    flash(_("The partner is added."))
    return back_to_case(found, "partners")


def partner_or_404(found: Case, partner_id: int) -> CasePartner:
    """A partner of this case file; a partner of another file is not found."""
    partner = db.session.get(CasePartner, partner_id)
    if partner is None or partner.case_id != found.id:
        abort(404)
    return partner


def _render_partner(found: Case, partner: CasePartner, form: dict):
    return render_template(
        "backoffice/partner.html",
        case=found,
        partner=partner,
        visible=sorted(partners.may_see(partner), key=partners.PARTS.index),
        partner_kinds=partners.KINDS,
        partner_part_labels=PARTNER_PART_LABELS,
        form=form,
    )


@bp.get("/cases/<int:case_id>/partners/<int:partner_id>")
@requires(Permission.CASES)
def case_partner(case_id: int, partner_id: int):
    found = case_or_404(case_id)
    partner = partner_or_404(found, partner_id)
    form = {
        "kind": partner.kind,
        "organisation": partner.organisation,
        "contact_name": partner.contact_name or "",
        "contact_details": partner.contact_details or "",
        "errors": {},
    }
    return _render_partner(found, partner, form)


@bp.post("/cases/<int:case_id>/partners/<int:partner_id>")
@requires(Permission.CASES)
def update_case_partner(case_id: int, partner_id: int):
    found = case_or_404(case_id)
    partner = partner_or_404(found, partner_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    form = {**_partner_details_from_request(), "errors": {}}
    try:
        changed = partners.update_partner(
            db.session,
            found,
            partner,
            g.staff,
            kind=form["kind"],
            organisation=form["organisation"],
            contact_name=form["contact_name"],
            contact_details=form["contact_details"],
        )
    except partners.PartnerError as error:
        form["errors"] = _partner_errors(error)
        return _render_partner(found, partner, form)
    if changed:
        audit_case("case.partner_updated", found, detail=f"partner {partner.id}")
        db.session.commit()
        flash(_("The partner's details are saved."))
    else:
        flash(_("Nothing was changed."))
    return redirect(
        url_for("backoffice.case", case_id=found.id, _anchor=f"partner-{partner.id}"), code=303
    )


@bp.post("/cases/<int:case_id>/partners/<int:partner_id>/withdraw")
@requires(Permission.CASES)
def withdraw_partner_consent(case_id: int, partner_id: int):
    found = case_or_404(case_id)
    partner = partner_or_404(found, partner_id)
    try:
        partners.withdraw_consent(db.session, found, partner, g.staff)
    except partners.PartnerError:
        abort(400)
    audit_case("case.consent_withdrawn", found, detail=f"partner {partner.id} {partner.kind}")
    db.session.commit()
    flash(_("Consent is withdrawn: this partner may see nothing any more."))
    return back_to_case(found, "partners")


@bp.post("/cases/<int:case_id>/members")
@requires(Permission.CASES)
def add_case_member(case_id: int):
    found = case_or_404(case_id)
    value = request.form.get("staff_id", "")
    member = db.session.get(Staff, int(value)) if value.isdigit() else None
    if member is None:
        abort(400)
    try:
        cases.add_member(db.session, found, member, g.staff)
    except cases.CaseError:
        abort(400)
    audit_case("case.member_added", found, detail=f"staff {member.id}")
    db.session.commit()
    flash(_("%(name)s can now open this case file.", name=member.name))
    return back_to_case(found)


@bp.post("/cases/<int:case_id>/close")
@requires(Permission.CASES)
def close_case(case_id: int):
    found = case_or_404(case_id)
    try:
        cases.close(
            db.session, found, g.staff, request.form.get("reason", ""), request.form.get("note")
        )
    except cases.CaseError:
        flash(_("Choose a reason to close the case file."))
        return back_to_case(found)
    audit_case("case.closed", found, detail=found.closure_reason)
    db.session.commit()
    flash(_("The case file is closed."))
    return back_to_case(found)


@bp.post("/cases/<int:case_id>/reopen")
@requires(Permission.CASES)
def reopen_case(case_id: int):
    found = case_or_404(case_id)
    try:
        cases.reopen(db.session, found, g.staff)
    except cases.CaseError:
        abort(400)
    audit_case("case.reopened", found)
    db.session.commit()
    flash(_("The case file is open again."))
    return back_to_case(found)
