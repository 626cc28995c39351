"""Case consultations: who took part, on which legal basis, and the decisions,
which become actions in the plan."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, case_section
from backoffice.forms.consultations import ConsultationForm
from backoffice.handlers import Done, case_change
from backoffice.records import case_url
from backoffice.views.actions import action_problem, tell_owning_partners
from core.casework import consultations
from core.identity.permissions import Permission
from core.model import Case, CaseStatus
from web.casefile.centre import centre_today, centre_zone
from web.casefile.labels import CONSULTATION_BASIS_LABELS
from web.db import db


def consultation_problem(field: str, code: str) -> str:
    """What staff read when a rule refuses the consultation; a decision's
    owner and date are refused as an action's would be."""
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
    }.get(code) or action_problem(field, code)


@case_section
def consultations_section(case: Case, forms: dict) -> dict:
    """The consultations on the case page. Owners of decisions are chosen from the
    same list as the owners of actions."""
    held = consultations.consultations_of(db.session, case)
    form = forms.get("consultation_form")
    if form is None and case.status == CaseStatus.OPEN:
        form = ConsultationForm(formdata=None)
        form.held_on.data = centre_today().isoformat()
        form.prepare(case)
    return {
        "plan_consultation_dates": {c.consultation.id: c.consultation.held_on for c in held},
        "plan_consultations": held,
        "plan_legal_basis_labels": CONSULTATION_BASIS_LABELS,
        "consultation_form": form,
    }


@bp.post("/cases/<int:case_id>/consultations")
@requires(Permission.CASES)
@case_change(
    form=ConsultationForm,
    page=case_page_with("consultation_form"),
    messages=consultation_problem,
)
def record_case_consultation(found: Case, form: ConsultationForm) -> Done:
    consultation, created = consultations.record_consultation(
        db.session,
        found,
        g.staff,
        held_on=form.held_on.data,
        legal_basis=form.legal_basis.data or "",
        participants=form.participant_rows(),
        decisions=form.decision_rows(),
        notes=form.notes.data,
        today=centre_today(),
        zone=centre_zone(),
    )
    message = (
        ngettext(
            "The case consultation is recorded, with %(num)d new action in the plan.",
            "The case consultation is recorded, with %(num)d new actions in the plan.",
            len(created),
        )
        if created
        else _("The case consultation is recorded.")
    )
    return Done(
        message,
        case_url(found, f"consultation-{consultation.id}"),
        after_commit=tell_owning_partners(found, created),
    )
