"""The risk assessment of a case file: the instrument's questions, sourced
answers, and the professional judgement."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    request,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.case_page import case_section, render_case
from backoffice.records import back_to_case, case_or_404, refuse_if_closed
from core.casework import risk
from core.identity.permissions import Permission
from core.model import (
    Case,
)
from web.db import db


def _risk_instrument() -> risk.Instrument:
    return risk.current(current_app.config["FJC_RISK_INSTRUMENT"])


@case_section
def risk_section(found: Case, forms: dict) -> dict:
    language = str(get_locale() or "en")
    return {
        "risk_instrument": _risk_instrument(),
        "risk_history": risk.history(db.session, found),
        "risk_instruments": risk.instruments(),
        "risk_form": forms.get("risk_form")
        or {"answers": {}, "judged": "", "reason": "", "errors": {}},
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
        risk.assess(db.session, found, g.staff, instrument, answers, judged or None, reason)
    except risk.AssessmentError as error:
        form = {
            "answers": answers,
            "judged": judged,
            "reason": reason,
            "errors": {error.code: _risk_error(error.code)},
        }
        return render_case(found, risk_form=form)
    db.session.commit()
    flash(_("The risk assessment is saved."))
    return back_to_case(found, "risk")
