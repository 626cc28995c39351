"""People in a case file and how they are related: the section on the case
page, and a page per person to change their details."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from backoffice.access import (
    record_read,
    requires,
)
from backoffice.blueprint import bp
from backoffice.case_page import case_section, render_case
from backoffice.centre import centre_today
from backoffice.labels import (
    RELATION_KIND_LABELS,
)
from backoffice.naming import person_names, relation_in_words
from backoffice.records import (
    back_to_case,
    case_or_404,
    person_or_404,
    refuse_if_closed,
)
from core.casework import people as people_rules
from core.casework import safety_plans
from core.casework.cases import PERSON_ROLES
from core.identity.permissions import Permission
from core.model import (
    Case,
    CasePerson,
    CaseRelation,
)
from web.db import db

PERSON_FIELDS = (
    "role",
    "name",
    "phone",
    "email",
    "contact_safety",
    "birth_year",
    "school_contacts",
    "notes",
)


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


def _removal_refused(code: str) -> str:
    return {
        "from_request": _(
            "This is the victim from the request. The file stays about them, "
            "so they cannot be removed."
        ),
        "last_victim": _("A case file needs a victim. This person cannot be removed."),
        "has_safety_plan": _(
            "This person has a safety plan. It stays in the file, so they cannot be removed."
        ),
    }.get(code, _("This person cannot be removed."))


def _empty_person_form() -> dict:
    return {field: "" for field in PERSON_FIELDS} | {
        "no_direct_contact": False,
        "relation_kind": "",
        "relation_to": "",
        "errors": {},
    }


def _person_form_of(person: CasePerson) -> dict:
    form = {field: getattr(person, field) or "" for field in PERSON_FIELDS}
    form["birth_year"] = str(person.birth_year or "")
    return form | {"no_direct_contact": person.no_direct_contact, "errors": {}}


def _person_form_from_request() -> dict:
    form = {field: request.form.get(field, "") for field in PERSON_FIELDS}
    return form | {
        "no_direct_contact": request.form.get("no_direct_contact") == "yes",
        "relation_kind": request.form.get("relation_kind", ""),
        "relation_to": request.form.get("relation_to", ""),
        "errors": {},
    }


def _details(form: dict) -> people_rules.PersonDetails:
    return people_rules.PersonDetails(
        **{field: form[field] for field in PERSON_FIELDS},
        no_direct_contact=form["no_direct_contact"],
    )


def _common_labels() -> dict:
    return {
        "person_roles": PERSON_ROLES,
        "relation_kinds": people_rules.RELATION_KINDS,
        "relation_kind_labels": RELATION_KIND_LABELS,
        "people_this_year": centre_today().year,
    }


@case_section
def people_section(case: Case, forms: dict) -> dict:
    """The people section of the case page: relations and plan dates in one
    query each, whatever the number of people."""
    session = db.session
    people = list(case.people)
    names = person_names(people)
    relations = people_rules.relations_of(session, case)
    return {
        "people": people,
        "person_names": names,
        "person_relations": [(r, relation_in_words(r, names)) for r in relations],
        "plan_updates": safety_plans.last_updates(session, case),
        "person_form": forms.get("person_form") or _empty_person_form(),
        "relation_form": forms.get("relation_form")
        or {"person": "", "kind": "", "other": "", "errors": {}},
        **_common_labels(),
    }


@bp.post("/cases/<int:case_id>/people")
@requires(Permission.CASES)
def add_case_person(case_id: int):
    found = case_or_404(case_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    form = _person_form_from_request()
    try:
        person, relation = people_rules.add_person(
            db.session,
            found,
            g.staff,
            _details(form),
            centre_today().year,
            relation_kind=form["relation_kind"],
            related_to=form["relation_to"],
        )
    except people_rules.PersonError as error:
        form["errors"] = {f: _person_error(f, code) for f, code in error.errors.items()}
        return render_case(found, person_form=form)
    db.session.commit()
    flash(_("The person is added."))
    return back_to_case(found, f"person-{person.id}")


def _render_person(found: Case, person: CasePerson, form: dict):
    return render_template(
        "backoffice/case_person.html",
        case=found,
        person=person,
        person_form=form,
        removable=person.id != people_rules.origin_person_id(found),
        **_common_labels(),
    )


@bp.get("/cases/<int:case_id>/people/<int:person_id>")
@requires(Permission.CASES)
def case_person(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = person_or_404(found, person_id)
    record_read(
        "case.person_viewed", target_type="case", target_id=found.id, detail=f"person {person.id}"
    )
    return _render_person(found, person, _person_form_of(person))


@bp.post("/cases/<int:case_id>/people/<int:person_id>")
@requires(Permission.CASES)
def update_case_person(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = person_or_404(found, person_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    form = _person_form_from_request()
    try:
        changed = people_rules.update_person(
            db.session, found, person, g.staff, _details(form), centre_today().year
        )
    except people_rules.PersonError as error:
        form["errors"] = {f: _person_error(f, code) for f, code in error.errors.items()}
        return _render_person(found, person, form)
    if changed:
        db.session.commit()
        flash(_("The changes are saved."))
    else:
        flash(_("Nothing changed."))
    return back_to_case(found, f"person-{person.id}")


@bp.post("/cases/<int:case_id>/people/<int:person_id>/delete")
@requires(Permission.CASES)
def remove_case_person(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = person_or_404(found, person_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    try:
        people_rules.remove_person(db.session, found, person, g.staff)
    except people_rules.PersonError as error:
        flash(_removal_refused(error.errors.get("person", "")))
        return redirect(
            url_for("backoffice.case_person", case_id=found.id, person_id=person_id), code=303
        )
    db.session.commit()
    flash(_("The person is removed from the case file."))
    return back_to_case(found, "people")


@bp.post("/cases/<int:case_id>/relations")
@requires(Permission.CASES)
def add_case_relation(case_id: int):
    found = case_or_404(case_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    form = {
        "person": request.form.get("person", ""),
        "kind": request.form.get("kind", ""),
        "other": request.form.get("other", ""),
        "errors": {},
    }
    try:
        people_rules.add_relation(
            db.session, found, g.staff, form["person"], form["kind"], form["other"]
        )
    except people_rules.PersonError as error:
        form["errors"] = {f: _person_error(f, code) for f, code in error.errors.items()}
        return render_case(found, relation_form=form)
    db.session.commit()
    flash(_("The relation is added."))
    return back_to_case(found, "relations")


@bp.post("/cases/<int:case_id>/relations/<int:relation_id>/delete")
@requires(Permission.CASES)
def remove_case_relation(case_id: int, relation_id: int):
    found = case_or_404(case_id)
    relation = db.session.get(CaseRelation, relation_id)
    if relation is None or relation.case_id != found.id:
        abort(404)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    people_rules.remove_relation(db.session, found, relation, g.staff)
    db.session.commit()
    flash(_("The relation is removed."))
    return back_to_case(found, "relations")
