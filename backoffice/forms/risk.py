"""A risk assessment: one answer and its source per question of the instrument
in use, then the professional judgement. The questions come from the
instrument (data/instruments/), so the form is made for it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField

from core.casework import risk
from web.casefile.labels import RISK_ANSWER_LABELS, RISK_LEVEL_LABELS, RISK_SOURCE_LABELS
from web.forms import Form, choices


class RiskFormBase(Form):
    id_prefix = "risk-"
    id_hyphens = True

    judged_level = RadioField(
        _l("Your professional judgement"),
        choices=choices(
            [("", _l("Same as the computed level"))]
            + [(level, RISK_LEVEL_LABELS[level]) for level in risk.LEVELS]
        ),
        validate_choice=False,
        default="",
    )
    judgement_reason = TextAreaField(_l("Reason for the judgement"))

    def answers(self, instrument: risk.Instrument) -> dict[str, dict[str, str]]:
        return {
            item.code: {
                "answer": self[f"answer-{item.code}"].data or "",
                "source": self[f"source-{item.code}"].data or "",
            }
            for item in instrument.items
        }


# One class per instrument and language, made once (instruments are not hashable).
_FORMS: dict[tuple[str, str], type[RiskFormBase]] = {}


def risk_form(instrument: risk.Instrument, language: str) -> type[RiskFormBase]:
    """The form class for one instrument, with its questions in one language."""
    key = (instrument.key, language)
    if key not in _FORMS:
        _FORMS[key] = _make_form(instrument, language)
    return _FORMS[key]


def _make_form(instrument: risk.Instrument, language: str) -> type[RiskFormBase]:
    fields: dict = {
        "rule_fields": {"reason": "judgement_reason"},
    }
    for number, item in enumerate(instrument.items, 1):
        fields[f"answer-{item.code}"] = RadioField(
            f"{number}. {item.text_in(language)}",
            choices=choices((value, RISK_ANSWER_LABELS[value]) for value in risk.ANSWERS),
            validate_choice=False,
        )
        fields[f"source-{item.code}"] = SelectField(
            _l("Source"),
            choices=choices(
                [("", "–")] + [(value, RISK_SOURCE_LABELS[value]) for value in risk.SOURCES]
            ),
            validate_choice=False,
        )
        fields["rule_fields"][f"{item.code}.answer"] = f"answer-{item.code}"
        fields["rule_fields"][f"{item.code}.source"] = f"source-{item.code}"
    return type(f"RiskForm_{instrument.id}_{instrument.version}", (RiskFormBase,), fields)
