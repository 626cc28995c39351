"""People in a case file and how they are related: the section on the case
page, and a page per person to change their details."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, case_section
from backoffice.forms.case_people import (
    NewPersonForm,
    PersonForm,
    RelationForm,
    RemovePersonForm,
)
from backoffice.handlers import Done, case_change
from backoffice.naming import person_names, relation_in_words
from backoffice.records import case_or_404, case_url, person_or_404, row_of_case_or_404
from core.casework import people as people_rules
from core.casework import safety_plans
from core.identity.permissions import Permission
from core.model import Case, CasePerson, CaseRelation
from web.casefile.centre import centre_today
from web.db import db


def _person_error(field: str, code: str) -> str:
    """What staff read when a rule refuses a person or a relation."""
    if code == "too_long":
        short = field in ("name", "phone", "email")
        limit = people_rules.SHORT_MAX if short else people_rules.TEXT_MAX
        return _("Please keep this under %(max)d characters.", max=limit)
    if code == "child_only":
        if field == "birth_year":
            return _("Give a year of birth only for a child.")
        return _("Give school or care contacts only for a child.")
    if code == "too_old":
        return _(
            "Check the year: a child in the file is born in %(year)d or later.",
            year=centre_today().year - people_rules.OLDEST_CHILD_AGE,
        )
    return {
        ("role", "missing"): _("Choose who this person is in the family."),
        ("role", "last_victim"): _(
            "A case file needs a victim. Add another victim first, or keep this role."
        ),
        ("email", "not_an_email"): _("Write the e-mail address like name@example.be."),
        # The words of web.forms.PHONE_MESSAGE: one msgid for every phone field.
        ("phone", "not_a_phone"): _(
            "Type a phone number we can call, like 0470 12 34 56 or +31 6 12345678."
        ),
        ("birth_year", "not_a_year"): _("Write the year of birth in four digits, like 2018."),
        ("birth_year", "future"): _("The year of birth cannot be in the future."),
        ("relation_kind", "missing"): _("Choose how the new person is related."),
        ("relation_to", "missing"): _("Choose the person they are related to."),
        ("person", "missing"): _("Choose a person."),
        ("kind", "missing"): _("Choose how they are related."),
        ("kind", "duplicate"): _("This relation is already in the file."),
        ("other", "missing"): _("Choose the other person."),
        ("other", "self"): _("A person cannot be related to themselves."),
    }.get((field, code), _("Check this field."))


def _removal_refused(_field: str, code: str) -> str:
    """Why a person stays in the file (the kernel names the field "person")."""
    return {
        "from_request": _(
            "This is the victim from the request. The file stays about them, "
            "so they cannot be removed."
        ),
        "last_victim": _("A case file needs a victim. This person cannot be removed."),
        "has_safety_plan": _(
            "This person has a safety plan. It stays in the file, so they cannot be removed."
        ),
        "has_voice": _(
            "What this child says and wishes is in the file. "
            "It stays, so the child cannot be removed."
        ),
    }.get(code, _("This person cannot be removed."))


@case_section
def people_section(case: Case, forms: dict) -> dict:
    """The people section of the case page: relations and plan dates in one
    query each, whatever the number of people."""
    session = db.session
    people = list(case.people)
    names = person_names(people)
    relations = people_rules.relations_of(session, case)
    person_form = forms.get("person_form")
    if person_form is None:
        person_form = NewPersonForm.blank()
        person_form.prepare(case)
    relation_form = forms.get("relation_form")
    if relation_form is None:
        relation_form = RelationForm.blank()
        relation_form.prepare(case)
    return {
        "people": people,
        "person_names": names,
        "person_relations": [(r, relation_in_words(r, names)) for r in relations],
        "plan_updates": safety_plans.last_updates(session, case),
        "person_form": person_form,
        "relation_form": relation_form,
        "people_this_year": centre_today().year,
    }


@bp.post("/cases/<int:case_id>/people")
@requires(Permission.CASES)
@case_change(form=NewPersonForm, page=case_page_with("person_form"), messages=_person_error)
def add_case_person(found: Case, form: NewPersonForm) -> Done:
    person, _relation = people_rules.add_person(
        db.session,
        found,
        g.staff,
        form.details(),
        centre_today().year,
        relation_kind=form.relation_kind.data or "",
        related_to=form.relation_to.data or "",
    )
    return Done(_("The person is added."), case_url(found, f"person-{person.id}"))


def _render_person(found: Case, person: CasePerson, form: PersonForm):
    return render_template(
        "backoffice/case_person.html",
        case=found,
        person=person,
        person_form=form,
        removable=person.id != people_rules.origin_person_id(found),
    )


@bp.get("/cases/<int:case_id>/people/<int:person_id>")
@requires(Permission.CASES)
def case_person(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = person_or_404(found, person_id)
    record_read(
        "case.person_viewed", target_type="case", target_id=found.id, detail=f"person {person.id}"
    )
    return _render_person(found, person, PersonForm.blank(obj=person))


def _person_page_again(found: Case, form: PersonForm, person_id: int):
    return _render_person(found, person_or_404(found, person_id), form)


@bp.post("/cases/<int:case_id>/people/<int:person_id>")
@requires(Permission.CASES)
@case_change(form=PersonForm, page=_person_page_again, messages=_person_error)
def update_case_person(found: Case, form: PersonForm, person_id: int) -> Done:
    person = person_or_404(found, person_id)
    changed = people_rules.update_person(
        db.session, found, person, g.staff, form.details(), centre_today().year
    )
    message = _("The changes are saved.") if changed else _("Nothing changed.")
    return Done(message, case_url(found, f"person-{person.id}"))


def _removal_refused_page(found: Case, form: RemovePersonForm, person_id: int):
    """A refused removal: the person's page again, saying why (as a message
    at the top, the page's form being the person's details)."""
    for message in form.rule_errors:
        flash(message)
    return redirect(
        url_for("backoffice.case_person", case_id=found.id, person_id=person_id), code=303
    )


@bp.post("/cases/<int:case_id>/people/<int:person_id>/delete")
@requires(Permission.CASES)
@case_change(form=RemovePersonForm, page=_removal_refused_page, messages=_removal_refused)
def remove_case_person(found: Case, _form: RemovePersonForm, person_id: int) -> Done:
    person = person_or_404(found, person_id)
    people_rules.remove_person(db.session, found, person, g.staff)
    return Done(_("The person is removed from the case file."), case_url(found, "people"))


@bp.post("/cases/<int:case_id>/relations")
@requires(Permission.CASES)
@case_change(form=RelationForm, page=case_page_with("relation_form"), messages=_person_error)
def add_case_relation(found: Case, form: RelationForm) -> Done:
    people_rules.add_relation(
        db.session,
        found,
        g.staff,
        form.person.data or "",
        form.kind.data or "",
        form.other.data or "",
    )
    return Done(_("The relation is added."), case_url(found, "relations"))


@bp.post("/cases/<int:case_id>/relations/<int:relation_id>/delete")
@requires(Permission.CASES)
@case_change()
def remove_case_relation(found: Case, _form: None, relation_id: int) -> Done:
    relation = row_of_case_or_404(CaseRelation, found, relation_id)
    people_rules.remove_relation(db.session, found, relation, g.staff)
    return Done(_("The relation is removed."), case_url(found, "relations"))
