"""Partner members in the back office: inviting one (coordinators, admins),
linking members to a partner of a case file and unlinking them (whoever may
open the file), planning a case consultation they answer, and the part of the
case page that says who of the partners read what, and when."""

from __future__ import annotations

from flask import current_app, g, render_template
from flask_babel import gettext as _

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, case_section
from backoffice.forms.partner_members import (
    PartnerInviteForm,
    PartnerMemberForm,
    PlanConsultationForm,
)
from backoffice.handlers import Done, case_change
from backoffice.records import case_url, partner_or_404
from backoffice.views.partners import partner_message
from core.casework import partner_access, partner_work, partners
from core.identity import accounts, invites, organisations
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.model import Case, Staff
from core.rules import RuleError
from web.accounts.forms import account_message
from web.casefile import notices
from web.casefile.centre import centre_today
from web.db import db
from web.forms import show_rule_error
from web.urls import link_for


@case_section
def partner_members_section(found: Case, forms: dict) -> dict:
    session = db.session
    linked = partner_access.members_of(session, found)
    everyone = organisations.active_members(session, found.centre_id)
    refused = forms.get("partner_member_form")
    member_forms = {}
    for partner in partners.partners_of(session, found):
        taken = {m.id for m in linked.get(partner.id, [])}
        # Members of this partner's organisation only (the rule is core's).
        offer = [
            m for m in everyone if m.id not in taken and partner_access.may_represent(partner, m)
        ]
        form = refused if refused is not None and refused.partner_id == partner.id else None
        member_forms[partner.id] = (form or PartnerMemberForm.blank()).for_partner(
            partner.id, offer
        )
    today = centre_today()
    planned = partner_work.planned_of(session, found, today)
    answered_by = names_of(session, (c.staff_id for p in planned for c in p.contributions))
    return {
        "partner_members": linked,
        "partner_member_forms": member_forms,
        "partner_reads": partner_access.reads_of(session, found),
        "planned_consultations": planned,
        "planned_answered_by": answered_by,
        "plan_form": forms.get("plan_form")
        or PlanConsultationForm.blank(planned_on=today.isoformat()),
    }


def member_message(field: str, code: str) -> str:
    return {
        "not_a_member": _("Choose an active partner member."),
        "other_organisation": _("Choose a member of this partner's organisation."),
        "basis_gone": _("This partner may see nothing now: link a member after a new consent."),
    }.get(code, _("Choose a partner member."))


def _member_page(found: Case, form: PartnerMemberForm, partner_id: int):
    form.partner_id = partner_id
    return case_page_with("partner_member_form")(found, form)


@bp.post("/cases/<int:case_id>/partners/<int:partner_id>/members")
@requires(Permission.CASES)
@case_change(form=PartnerMemberForm, page=_member_page, messages=member_message)
def add_partner_member(found: Case, form: PartnerMemberForm, partner_id: int) -> Done:
    partner = partner_or_404(found, partner_id)
    member = db.session.get(Staff, form.staff_id.data)
    if member is None:
        raise RuleError("staff_id", "not_a_member")
    try:
        added = partner_access.add_member(db.session, found, partner, member, g.staff)
    except RuleError as refused:
        raise RuleError("staff_id", next(iter(refused.problems.values()))) from None
    if not added:
        return Done(
            _("%(name)s already works on this file.", name=member.name),
            case_url(found, f"partner-{partner.id}"),
        )
    return Done(
        _("%(name)s can now open this case file.", name=member.name),
        case_url(found, f"partner-{partner.id}"),
        after_commit=lambda: notices.tell([member], notices.ADDED_TO_CASE),
    )


# Unlinking works on a closed file too: it only ever takes access away.
@bp.post("/cases/<int:case_id>/partners/<int:partner_id>/members/<int:staff_id>/remove")
@requires(Permission.CASES)
@case_change(open_only=False)
def remove_partner_member(found: Case, _form: None, partner_id: int, staff_id: int) -> Done:
    partner = partner_or_404(found, partner_id)
    member = db.session.get(Staff, staff_id)
    if member is None or not partner_access.remove_member(
        db.session, found, partner, member, g.staff
    ):
        return Done(None, case_url(found, f"partner-{partner.id}"))
    return Done(
        _("%(name)s can no longer open this case file.", name=member.name),
        case_url(found, f"partner-{partner.id}"),
    )


def plan_message(field: str, code: str) -> str:
    return {
        "planned_on_missing": _("Give the date of the consultation."),
        "planned_on_invalid": _("Give a valid date."),
        "planned_on_past": _("A planned consultation is today or later."),
        "legal_basis_missing": _("Choose the legal basis of the consultation."),
    }.get(code, _("Check this field."))


@bp.post("/cases/<int:case_id>/consultations/planned")
@requires(Permission.CASES)
@case_change(form=PlanConsultationForm, page=case_page_with("plan_form"), messages=plan_message)
def plan_case_consultation(found: Case, form: PlanConsultationForm) -> Done:
    planned = partner_work.plan_consultation(
        db.session,
        found,
        g.staff,
        planned_on=form.planned_on.data,
        legal_basis=form.legal_basis.data or "",
        today=centre_today(),
    )
    members = partner_access.members_to_tell(db.session, found, part="action_plan")
    return Done(
        _("The case consultation is planned. The partners of this file can answer it."),
        case_url(found, f"planned-{planned.id}"),
        after_commit=lambda: notices.tell(members, notices.CONSULTATION_PLANNED),
    )


def _partner_invite_message(field: str, code: str) -> str:
    """The organisation's words are the case file partner's (a known name's
    other kind aside); the account's are the staff invitation's."""
    if code == "differs":
        return _(
            "This organisation is known with another kind. "
            "Choose that kind, or leave the kind empty."
        )
    if field in ("organisation", "kind"):
        return partner_message(field, code)
    return account_message(field, code)


@bp.route("/partners/invite", methods=["GET", "POST"])
@requires(Permission.INVITE_PARTNERS)
def invite_partner_member():
    """An invitation link for a partner organisation's member: they choose a
    password, then set up two-step sign-in at /partner/login."""
    form = PartnerInviteForm()
    if form.validate_on_submit():
        try:
            member = accounts.invite_partner_member(
                db.session,
                g.staff,
                email=form.email.data,
                name=form.name.data,
                organisation=form.organisation.data,
                kind=form.kind.data or "",
                centre_id=g.centre.id,
            )
        except RuleError as refused:
            db.session.rollback()
            show_rule_error(form, refused, _partner_invite_message)
        else:
            db.session.commit()
            token = invites.make_token(current_app.config["SECRET_KEY"], member)
            link = link_for("partner.accept_invitation", token=token)
            return render_template("backoffice/partner_invited.html", invited=member, link=link)
    return render_template(
        "backoffice/partner_invite.html",
        form=form,
        known=organisations.organisations(db.session, g.centre.id),
    )
