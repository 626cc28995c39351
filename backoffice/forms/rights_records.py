"""Forms of a data subject's rights on one record (GDPR art. 16-18): correct
a field with a reason, restrict its use, lift a restriction; and of an
erasure request: register it, then erase or refuse on a legal ground.

The rules are the kernel's (core.governance.rights), so a refusal names every
field at fault at once and keeps what was typed. Several forms share a
record's page: each has an id prefix, and the page's one `csrf_token` input
(checked for every POST by the app-wide CSRFProtect) serves them all."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from backoffice.forms.actions import DayField
from backoffice.forms.consultations import CodeRadioField
from core.governance.rights import erasure_requests, rectification
from core.model import CasePerson, Intake
from web.casefile.labels import REFUSAL_GROUND_LABELS
from web.db import db
from web.forms import Form, choices

NOT_CHOSEN = ("", "–")
# The words for the fields a correction may change.
FIELD_LABELS = {
    "name": _l("Name"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "birth_year": _l("Year of birth"),
    "municipality": _l("Municipality"),
}
GROUND_LABELS = REFUSAL_GROUND_LABELS


class _RecordForm(Form):
    """A form that shares its page's `csrf_token` input (see above)."""

    class Meta:
        csrf = False


class CorrectionForm(_RecordForm):
    """Correct one field of a person or of a request (not its municipality)."""

    id_prefix = "correct-"

    field = SelectField(_l("What is wrong?"), coerce=str, validate_choice=False)
    value = StringField(_l("The right value"))
    reason = TextAreaField(_l("Why is it corrected?"))

    def prepare(self, found: CasePerson | Intake) -> None:
        if isinstance(found, CasePerson):
            fields = rectification.person_fields(found)
        else:
            fields = tuple(f for f in rectification.INTAKE_FIELDS if f != "municipality")
        self.field.choices = choices([NOT_CHOSEN, *((f, FIELD_LABELS[f]) for f in fields)])


class MunicipalityForm(_RecordForm):
    """Correct where a request says the person lives."""

    id_prefix = "municipality-"

    value = SelectField(_l("The right municipality"), coerce=str, validate_choice=False)
    reason = TextAreaField(_l("Why is it corrected?"))

    def prepare(self, found: Intake) -> None:
        self.value.choices = [
            SelectChoice("", _l("Not given")),
            *(
                SelectChoice(str(m.id), m.name)
                for m in rectification.municipalities_for(db.session, found)
            ),
        ]


class RestrictForm(_RecordForm):
    id_prefix = "restrict-"

    reason = TextAreaField(_l("Why is its use restricted?"))


class LiftForm(_RecordForm):
    id_prefix = "lift-"

    reason = TextAreaField(_l("Why is the restriction lifted?"))


class ErasureRequestForm(Form):
    """Register what a person asked: which file, and when it reached us."""

    id_prefix = "erasure-"

    case_number = StringField(_l("Case file number"))
    received_on = DayField(_l("Date the request reached us"))
    note = TextAreaField(_l("What did the person ask, and how did you check who they are?"))


class EraseForm(_RecordForm):
    """Erasing has nothing to fill in: the form carries the kernel's refusal
    (the file is still open) back to the request's page."""

    id_prefix = "erase-"


class RefuseForm(_RecordForm):
    id_prefix = "refuse-"

    ground = CodeRadioField(
        _l("On what legal ground do we keep the file?"),
        choices=[SelectChoice(code, GROUND_LABELS[code]) for code in erasure_requests.GROUNDS],
        validate_choice=False,
    )
    note = TextAreaField(_l("Explain the decision (optional)"))
