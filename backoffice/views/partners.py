"""Partners in a case file: adding one with its basis for sharing, changing
their details, withdrawing consent."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import gettext as _

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, case_section
from backoffice.forms.partners import PartnerDetailsForm, PartnerForm
from backoffice.handlers import Done, case_change
from backoffice.records import case_or_404, case_url, partner_or_404
from core.casework import partners
from core.identity.permissions import Permission
from core.model import Case, CasePartner
from web.casefile.centre import centre_today
from web.casefile.labels import PARTNER_PART_LABELS
from web.db import db


@case_section
def partners_section(found: Case, forms: dict) -> dict:
    listed = partners.partners_of(db.session, found)
    return {
        "partners": [(p, sorted(partners.may_see(p), key=partners.PARTS.index)) for p in listed],
        "partner_part_labels": PARTNER_PART_LABELS,
        "partner_form": forms.get("partner_form")
        or PartnerForm.blank(consent_given_on=centre_today().isoformat()),
    }


def partner_message(field: str, code: str) -> str:
    """What staff read when a rule refuses a partner's details."""
    if code == "too_long":
        limit = partners.FIELD_MAX.get(field, 0)
        return {
            "organisation": _(
                "Keep the organisation's name to %(max)s characters or fewer.", max=limit
            ),
            "contact_name": _("Keep the contact person to %(max)s characters or fewer.", max=limit),
        }.get(field) or _("Keep the contact details to %(max)s characters or fewer.", max=limit)
    if code == "members_linked":
        return _(
            "Take this partner's members off the file first: "
            "they work for the organisation named here."
        )
    return {
        "kind": _("Choose the kind of organisation."),
        "organisation": _("Name the organisation."),
        "basis": _("Choose the basis for sharing: consent or a case consultation."),
        "scope": _("Tick what the client agreed may be shared."),
        "consent_given_at": _("Give the date the client gave consent; it cannot be in the future."),
    }.get(field, _("Check the partner's details."))


@bp.post("/cases/<int:case_id>/partners")
@requires(Permission.CASES)
@case_change(form=PartnerForm, page=case_page_with("partner_form"), messages=partner_message)
def add_case_partner(found: Case, form: PartnerForm) -> Done:
    partners.add_partner(
        db.session,
        found,
        g.staff,
        **form.details(),
        basis=form.basis.data or "",
        scope=form.scope.data or [],
        consent_given_at=form.consent_given_at(),
    )
    return Done(_("The partner is added."), case_url(found, "partners"))


def _render_partner(found: Case, partner: CasePartner, form: PartnerDetailsForm):
    return render_template(
        "backoffice/case_partner.html",
        case=found,
        partner=partner,
        visible=sorted(partners.may_see(partner), key=partners.PARTS.index),
        partner_part_labels=PARTNER_PART_LABELS,
        form=form,
    )


@bp.get("/cases/<int:case_id>/partners/<int:partner_id>")
@requires(Permission.CASES)
def case_partner(case_id: int, partner_id: int):
    found = case_or_404(case_id)
    partner = partner_or_404(found, partner_id)
    form = PartnerDetailsForm.blank(
        **{name: getattr(partner, name) or "" for name in partners.DETAIL_FIELDS}
    )
    return _render_partner(found, partner, form)


def _partner_page_again(found: Case, form: PartnerDetailsForm, partner_id: int):
    return _render_partner(found, partner_or_404(found, partner_id), form)


@bp.post("/cases/<int:case_id>/partners/<int:partner_id>")
@requires(Permission.CASES)
@case_change(form=PartnerDetailsForm, page=_partner_page_again, messages=partner_message)
def update_case_partner(found: Case, form: PartnerDetailsForm, partner_id: int) -> Done:
    partner = partner_or_404(found, partner_id)
    changed = partners.update_partner(db.session, found, partner, g.staff, **form.details())
    message = _("The partner's details are saved.") if changed else _("Nothing was changed.")
    return Done(message, case_url(found, f"partner-{partner.id}"))


# Consent can be withdrawn from a closed file too: the client's word counts at once.
@bp.post("/cases/<int:case_id>/partners/<int:partner_id>/withdraw")
@requires(Permission.CASES)
@case_change(open_only=False)
def withdraw_partner_consent(found: Case, _form: None, partner_id: int) -> Done:
    partner = partner_or_404(found, partner_id)
    partners.withdraw_consent(db.session, found, partner, g.staff)
    return Done(
        _("Consent is withdrawn: this partner may see nothing any more."),
        case_url(found, "partners"),
    )
