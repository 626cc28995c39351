"""Forms for partner members: linking one to a partner of a case file,
planning a case consultation they answer, inviting a new member."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from backoffice.forms.accounts import EMAIL_PATTERN
from backoffice.forms.actions import DayField
from core.casework import partners
from core.casework.consultations import LEGAL_BASES
from core.model import Staff
from web.casefile.labels import CONSULTATION_BASIS_LABELS, PARTNER_KIND_LABELS
from web.forms import Form, choices, too_long


class PartnerMemberForm(Form):
    """One per partner on the case page: `for_partner` gives its ids."""

    staff_id = SelectField(_l("Partner member"), coerce=int, validate_choice=False)
    # Which partner's form this is, when it comes back refused.
    partner_id: int | None = None

    def for_partner(self, partner_id: int, members: list[Staff]) -> PartnerMemberForm:
        self.staff_id.id = f"partner-{partner_id}-member"
        self.staff_id.label.field_id = self.staff_id.id
        self.staff_id.choices = [
            SelectChoice(m.id, f"{m.name} ({m.organisation.name})" if m.organisation else m.name)
            for m in members
        ]
        return self


class PlanConsultationForm(Form):
    id_prefix = "planned-"

    planned_on = DayField(_l("Date of the consultation"))
    legal_basis = RadioField(
        _l("Legal basis"),
        choices=[SelectChoice(code, CONSULTATION_BASIS_LABELS[code]) for code in LEGAL_BASES],
        validate_choice=False,
    )


class PartnerInviteForm(Form):
    id_prefix = "partner-invite-"

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Type an e-mail address.")),
            Regexp(EMAIL_PATTERN, message=_l("This is not an e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
        ],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Type a name.")), too_long(200)]
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[DataRequired(message=_l("Name the organisation.")), too_long(200)],
    )
    kind = SelectField(
        _l("Kind of organisation"),
        choices=choices(
            [("", "–"), *((kind, PARTNER_KIND_LABELS[kind]) for kind in partners.KINDS)]
        ),
        validate_choice=False,
    )
