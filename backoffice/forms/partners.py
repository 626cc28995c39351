"""A partner of a case file: who they are (the edit page), and on the case page
also the basis for sharing and, with consent, what may be shared and since when."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField

from core.casework import partners
from web.casefile.centre import centre_zone
from web.casefile.labels import PARTNER_BASIS_LABELS, PARTNER_KIND_LABELS, PARTNER_PART_LABELS
from web.forms import CheckboxesField, Form, choices


class PartnerDetailsForm(Form):
    """Who the partner is and how to reach them. The kernel checks every value
    (core.casework.partners); the form only carries them."""

    id_prefix = "edit-"
    id_hyphens = True

    kind = SelectField(
        _l("Kind of organisation"),
        choices=choices(
            [("", "–"), *((kind, PARTNER_KIND_LABELS[kind]) for kind in partners.KINDS)]
        ),
        validate_choice=False,
    )
    organisation = StringField(_l("Organisation"))
    contact_name = StringField(_l("Contact person (optional)"))
    contact_details = StringField(_l("Contact details (optional)"))

    def details(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in partners.DETAIL_FIELDS}


class PartnerForm(PartnerDetailsForm):
    """Adding a partner on the case page."""

    id_prefix = "partner-"
    rule_fields = {"consent_given_at": "consent_given_on"}

    basis = RadioField(
        _l("Basis for sharing"),
        choices=choices((basis, PARTNER_BASIS_LABELS[basis]) for basis in partners.BASES),
        validate_choice=False,
    )
    scope = CheckboxesField(
        _l("With consent: what may be shared"),
        choices=choices((part, PARTNER_PART_LABELS.get(part, part)) for part in partners.PARTS),
    )
    consent_given_on = StringField(_l("With consent: date the client gave it"))

    def consent_given_at(self) -> datetime | None:
        """The date typed, as the start of that day where the centre is."""
        try:
            day = date.fromisoformat((self.consent_given_on.data or "").strip())
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=centre_zone())
