"""Case consultations: who took part, on which legal basis, and the decisions,
which become actions in the plan."""

from __future__ import annotations

from flask import (
    flash,
    g,
    request,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.case_page import case_section, render_case
from backoffice.centre import centre_today, centre_zone
from backoffice.labels import CONSULTATION_BASIS_LABELS
from backoffice.records import back_to_case, case_or_404, refuse_if_closed
from backoffice.views.actions import _action_problem
from core.casework import consultations
from core.identity.permissions import Permission
from core.model import (
    Case,
)
from web.db import db

# Rows on the consultation form; blank rows are ignored.
PARTICIPANT_ROWS = 6


DECISION_ROWS = 5


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


@case_section
def consultations_section(case: Case, forms: dict) -> dict:
    """The consultations on the case page. Owners of decisions are chosen from the
    same list as the owners of actions (the action plan's section gives it)."""
    held = consultations.consultations_of(db.session, case)
    return {
        "plan_consultation_dates": {c.consultation.id: c.consultation.held_on for c in held},
        "plan_consultations": held,
        "plan_legal_bases": consultations.LEGAL_BASES,
        "plan_legal_basis_labels": CONSULTATION_BASIS_LABELS,
        "consultation_form": forms.get("consultation_form") or _empty_consultation_form(),
    }


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
