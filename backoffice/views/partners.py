"""Partners in a case file: adding one with its basis for sharing, changing
their details, withdrawing consent."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.case_page import case_section, render_case
from backoffice.centre import centre_today, centre_zone
from backoffice.labels import (
    PARTNER_PART_LABELS,
)
from backoffice.records import (
    back_to_case,
    case_or_404,
    partner_or_404,
    refuse_if_closed,
)
from core.casework import partners
from core.identity.permissions import Permission
from core.model import (
    Case,
    CasePartner,
)
from web.db import db


@case_section
def partners_section(found: Case, forms: dict) -> dict:
    listed = partners.partners_of(db.session, found)
    return {
        "partners": [(p, sorted(partners.may_see(p), key=partners.PARTS.index)) for p in listed],
        "partner_kinds": partners.KINDS,
        "partner_bases": partners.BASES,
        "partner_parts": partners.PARTS,
        "partner_part_labels": PARTNER_PART_LABELS,
        "partner_form": forms.get("partner_form")
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
        partners.add_partner(
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
    db.session.commit()
    flash(_("The partner is added."))
    return back_to_case(found, "partners")


def _render_partner(found: Case, partner: CasePartner, form: dict):
    return render_template(
        "backoffice/case_partner.html",
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
    db.session.commit()
    flash(_("Consent is withdrawn: this partner may see nothing any more."))
    return back_to_case(found, "partners")
