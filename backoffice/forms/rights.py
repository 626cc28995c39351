"""Forms of access requests (GDPR art. 15): registering one, finding and
choosing the person's records, the decision on each item, refusing. The
rules are the kernel's (core.governance.rights.access), so a refusal names
every field at fault at once. Each form is a panel of the request's page,
with the page's one CSRF token."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from backoffice.forms.actions import DayField
from backoffice.forms.consultations import CodeRadioField
from backoffice.forms.intake import PanelForm
from backoffice.rights_words import (
    IDENTITY_CHECK_LABELS,
    REFUSAL_REASON_LABELS,
    WITHHOLD_REASON_LABELS,
)
from core.governance.rights import access
from core.governance.rights.redaction import REASONS
from core.model import AccessItem, AccessRequest
from web.casefile.labels import KIND_LABELS, PERSON_ROLE_LABELS
from web.db import db
from web.forms import CheckboxesField, Form, choices
from web.i18n import LANGUAGE_NAMES, format_date

RELEASE = "release"
WITHHOLD = "withhold"


class RegisterForm(PanelForm):
    panel = "access"
    id_hyphens = True

    subject_name = StringField(
        _l("Name of the person who asks"), render_kw={"maxlength": access.NAME_MAX}
    )
    received_on = DayField(_l("Day the request came in"))
    identity_check = CodeRadioField(
        _l("How was their identity checked?"),
        choices=choices((code, IDENTITY_CHECK_LABELS[code]) for code in access.IDENTITY_CHECKS),
        validate_choice=False,
    )
    identity_note = TextAreaField(
        _l("Note on the identity check"), render_kw={"maxlength": access.NOTE_MAX}
    )
    language = SelectField(
        _l("Language of the copy"),
        choices=choices((code, LANGUAGE_NAMES[code]) for code in access.COPY_LANGUAGES),
        validate_choice=False,
    )


class FindForm(Form):
    """Sent with GET: it changes nothing, it only shows records to choose."""

    class Meta:
        csrf = False

    id_prefix = "find-"

    look = StringField(_l("Case file numbers and request numbers"), validators=[Optional()])


class RecordsForm(PanelForm):
    """The records that are the person's, from what staff looked up."""

    panel = "records"

    look = HiddenField()
    people = CheckboxesField(_l("People in case files"))
    intakes = CheckboxesField(_l("Requests"))
    unknown: list[str] = []

    def prepare(self, found: AccessRequest) -> None:
        self.prepare_for(found.centre_id)

    def prepare_for(self, centre_id: int) -> None:
        """Offer what the lookup (`look`) finds at this centre."""
        looked = access.look_up(db.session, centre_id, self.look.data)
        self.unknown = looked.unknown
        self.people.choices = choices(
            (
                str(person.id),
                _(
                    "%(number)s: %(role)s: %(name)s",
                    number=person.case.number,
                    role=PERSON_ROLE_LABELS.get(person.role, person.role),
                    name=person.name or _("name not given"),
                ),
            )
            for person in access.people_of(looked.cases)
        )
        self.intakes.choices = choices(
            (
                str(intake.id),
                _(
                    "#%(number)d: %(door)s, %(day)s: %(name)s",
                    number=intake.id,
                    door=KIND_LABELS.get(intake.kind, intake.kind),
                    day=format_date(intake.created_at),
                    name=intake.name or _("no name"),
                ),
            )
            for intake in looked.intakes
        )

    def chosen(self, name: str) -> list[int]:
        return [int(value) for value in getattr(self, name).data or []]


def decision_value(decision: str, reason: str | None) -> str:
    return f"{WITHHOLD}:{reason}" if decision == WITHHOLD else RELEASE


DECISION_CHOICES = [(RELEASE, _l("Give"))] + [
    (
        decision_value(WITHHOLD, code),
        _l("Withhold: %(reason)s", reason=WITHHOLD_REASON_LABELS[code]),
    )
    for code in REASONS
]


class _ItemsBase(PanelForm):
    panel = "review"

    def decisions(self) -> dict[int, tuple[str, str | None]]:
        """{item id: (decision, reason)} as chosen on the page."""
        chosen = {}
        for f in self:
            if f.short_name.startswith("item_"):
                decision, _sep, reason = (f.data or "").partition(":")
                chosen[int(f.short_name.removeprefix("item_"))] = (decision, reason or None)
        return chosen


def items_form(items: list[AccessItem], labels: dict[int, str], **kwargs) -> _ItemsBase:
    """One select per item, labelled with what the item is, set to its decision."""

    class ItemsForm(_ItemsBase):
        pass

    for item in items:
        setattr(
            ItemsForm,
            f"item_{item.id}",
            SelectField(
                labels.get(item.id, str(item.id)),
                choices=choices(DECISION_CHOICES),
                default=decision_value(item.decision, item.reason),
            ),
        )
    return ItemsForm(**kwargs)


class RefuseForm(PanelForm):
    panel = "refuse"

    reason = CodeRadioField(
        _l("Why is there no copy?"),
        choices=choices((code, REFUSAL_REASON_LABELS[code]) for code in access.REFUSAL_REASONS),
        validate_choice=False,
    )
