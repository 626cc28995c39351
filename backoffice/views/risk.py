"""The risk assessment of a case file: the instrument's questions, sourced
answers, and the professional judgement. Wherever a level is shown, the red
flags that set it and the count of unknown answers are shown with it."""

from __future__ import annotations

from flask import current_app, g
from flask_babel import gettext as _

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, case_section
from backoffice.forms.risk import RiskFormBase, risk_form
from backoffice.handlers import Done, case_change
from backoffice.records import case_url
from core.casework import risk
from core.identity.permissions import Permission
from core.model import Case
from web.casefile.content import reader_language, risk_notes
from web.db import db


def _instrument() -> risk.Instrument:
    return risk.current(current_app.config["FJC_RISK_INSTRUMENT"])


def _language() -> str:
    return reader_language()


def _form() -> RiskFormBase:
    return risk_form(_instrument(), _language())()


@case_section
def risk_section(found: Case, forms: dict) -> dict:
    instrument = _instrument()
    history = risk.history(db.session, found)
    return {
        "risk_instrument": instrument,
        "risk_history": history,
        "risk_notes": risk_notes(history),
        "risk_instruments": risk.instruments(),
        "risk_form": forms.get("risk_form") or risk_form(instrument, _language()).blank(),
        "language": _language(),
    }


def risk_message(field: str, code: str) -> str:
    """What staff read when a rule refuses an assessment."""
    if field.endswith(".answer"):
        return _("Answer every question: yes, no or unknown.")
    if field.endswith(".source"):
        return _("Say where each yes or no answer comes from.")
    if field == "reason":
        return _("Give a reason to set the level lower than the computed level.")
    return _("Choose a level.")


@bp.post("/cases/<int:case_id>/risk")
@requires(Permission.CASES)
@case_change(form=_form, page=case_page_with("risk_form"), messages=risk_message)
def assess_risk(found: Case, form: RiskFormBase) -> Done:
    instrument = _instrument()
    risk.assess(
        db.session,
        found,
        g.staff,
        instrument,
        form.answers(instrument),
        form.judged_level.data or None,
        form.judgement_reason.data or "",
    )
    return Done(_("The risk assessment is saved."), case_url(found, "risk"))
