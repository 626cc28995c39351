"""Forms of the people in a case file: a person's details (added on the case
page, with how they are related, and changed on their own page), a relation
between two people, and the removal of a person.

The kernel (core.casework.people) decides what is allowed: a role, lengths, a
plausible year of birth, people of this file. These forms only carry what was
typed, so a refusal names every field at fault at once and keeps the rest.
Several of them share a page, so each has an id prefix, and the page's one
`csrf_token` input (checked for every POST by the app-wide CSRFProtect)
serves them all.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField

from backoffice.naming import person_names
from core.casework.cases import PERSON_ROLES
from core.casework.people import RELATION_KINDS, PersonDetails
from core.model import Case
from web.casefile.labels import PERSON_ROLE_LABELS, RELATION_KIND_LABELS
from web.forms import Form, PhoneField, choices

NOT_CHOSEN = ("", "–")
ROLE_CHOICES = choices([NOT_CHOSEN, *((r, PERSON_ROLE_LABELS[r]) for r in PERSON_ROLES)])
KIND_CHOICES = choices([NOT_CHOSEN, *((k, RELATION_KIND_LABELS[k]) for k in RELATION_KINDS)])


def _choice(label, options=None) -> SelectField:
    # The kernel says what a missing or unknown choice means ("Choose ..."),
    # so the field takes any value and hands it on.
    return SelectField(label, choices=options, coerce=str, validate_choice=False)


def people_choices(found: Case) -> list[SelectChoice]:
    """The people of this file, as the page names them."""
    people = list(found.people)
    names = person_names(people)
    return choices([NOT_CHOSEN, *((str(p.id), names[p.id]) for p in people)])


class _CaseForm(Form):
    """A form that shares its page's `csrf_token` input (see above)."""

    class Meta:
        csrf = False


class PersonForm(_CaseForm):
    """A person's details, the same when adding and when changing."""

    id_prefix = "person-"

    role = _choice(_l("Who is this person in the family?"), ROLE_CHOICES)
    name = StringField(_l("Name (optional)"))
    # Normalised here; refused by the kernel ("not_a_phone"), with the rest.
    phone = PhoneField(_l("Phone (optional)"), refuse=False)
    email = StringField(_l("E-mail (optional)"))
    contact_safety = TextAreaField(_l("How to contact this person safely (optional)"))
    # Ticked, the box posts "yes" (what the page has always sent).
    no_direct_contact = BooleanField(
        _l("Do not contact this person directly"), render_kw={"value": "yes"}
    )
    birth_year = StringField(_l("Year of birth"))
    school_contacts = TextAreaField(_l("School, day care or other care contacts"))
    notes = TextAreaField(_l("Notes (optional)"))

    def details(self) -> PersonDetails:
        """What was typed, for the kernel to check."""
        return PersonDetails(
            role=self.role.data or "",
            name=self.name.data,
            phone=self.phone.data,
            email=self.email.data,
            contact_safety=self.contact_safety.data,
            no_direct_contact=bool(self.no_direct_contact.data),
            birth_year=self.birth_year.data,
            school_contacts=self.school_contacts.data,
            notes=self.notes.data,
        )


class NewPersonForm(PersonForm):
    """A person added on the case page, with (optionally) how they are related
    to someone already in the file."""

    relation_kind = _choice(_l("Relation"), KIND_CHOICES)
    relation_to = _choice(_l("Of whom"))

    def prepare(self, found: Case) -> None:
        self.relation_to.choices = people_choices(found)


class RelationForm(_CaseForm):
    """ "<person> is the <kind> of <other>"."""

    id_prefix = "relation-"

    person = _choice(_l("Person"))
    kind = _choice(_l("Relation"), KIND_CHOICES)
    other = _choice(_l("Of whom"))

    def prepare(self, found: Case) -> None:
        self.person.choices = self.other.choices = people_choices(found)


class RemovePersonForm(_CaseForm):
    """Removing a person has nothing to fill in: the form only carries the
    kernel's refusal back to the person's page."""
