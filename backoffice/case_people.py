"""People in a case file, how they are related, and a safety plan per person.

The case page shows the people section (registered with `case_section`); a
person has a page of their own to change their details, and one for their
safety plan with its earlier versions."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from backoffice import bp
from backoffice.access import record_read, requires
from backoffice.cases import (
    audit_case,
    back_to_case,
    case_or_404,
    case_section,
    refuse_if_closed,
    render_case,
)
from backoffice.centre import centre_today
from backoffice.labels import (
    PERSON_ROLE_LABELS,
    RELATION_KIND_LABELS,
    RELATION_SENTENCES,
    SAFETY_PLAN_SECTION_LABELS,
)
from core.casework import people as people_rules
from core.casework import safety_plans
from core.casework.cases import PERSON_ROLES
from core.identity.permissions import Permission
from core.model import Case, CasePerson, CaseRelation, Staff
from web.db import db

PLAN_SECTION_HINTS = {
    "warning_signs": _l("What the person notices before violence happens."),
    "safe_places": _l("Where the person can go at once, day and night."),
    "safe_people": _l("Who knows, and what each of them will do."),
    "emergency": _l("Danger now: call 112 or 101 (police). Advice and support: call 1712."),
    "keep_ready": _l("For example: ID, bank card, medicines, keys, phone charger, papers."),
    "children": _l("School and care: who may pick them up, who may not, and what to say."),
    "staying_in_touch": _l("How, when and by whom we may contact the person safely."),
}
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


def person_names(people: list[CasePerson]) -> dict[int, str]:
    """How the page names each person: their name, else their role, numbered
    when several people of one role have no name ("Child 2")."""
    unnamed: dict[str, list[int]] = {}
    for person in people:
        if not person.name:
            unnamed.setdefault(person.role, []).append(person.id)
    names = {}
    for person in people:
        if person.name:
            names[person.id] = person.name
            continue
        role = str(PERSON_ROLE_LABELS.get(person.role, person.role))
        same_role = unnamed[person.role]
        if len(same_role) == 1:
            names[person.id] = role
        else:
            names[person.id] = _("%(role)s %(num)d", role=role, num=same_role.index(person.id) + 1)
    return names


def relation_in_words(relation: CaseRelation, names: dict[int, str]) -> str:
    sentence = RELATION_SENTENCES.get(relation.kind, RELATION_SENTENCES["other"])
    return str(sentence) % {
        "person": names.get(relation.person_id, "?"),
        "other": names.get(relation.other_person_id, "?"),
    }


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


def _person_or_404(found: Case, person_id: int) -> CasePerson:
    person = people_rules.person_in(found, person_id)
    if person is None:
        abort(404)
    return person


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
    audit_case("case.person_added", found, detail=f"person {person.id} {person.role}")
    if relation is not None:
        audit_case("case.relation_added", found, detail=_relation_detail(relation))
    db.session.commit()
    flash(_("The person is added."))
    return back_to_case(found, f"person-{person.id}")


def _relation_detail(relation: CaseRelation) -> str:
    return (
        f"relation {relation.id} {relation.kind} "
        f"person {relation.person_id} other {relation.other_person_id}"
    )


def _render_person(found: Case, person: CasePerson, form: dict):
    return render_template(
        "backoffice/person.html",
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
    person = _person_or_404(found, person_id)
    record_read(
        "case.person_viewed", target_type="case", target_id=found.id, detail=f"person {person.id}"
    )
    return _render_person(found, person, _person_form_of(person))


@bp.post("/cases/<int:case_id>/people/<int:person_id>")
@requires(Permission.CASES)
def update_case_person(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = _person_or_404(found, person_id)
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
        audit_case("case.person_updated", found, detail=f"person {person.id} {person.role}")
        db.session.commit()
        flash(_("The changes are saved."))
    else:
        flash(_("Nothing changed."))
    return back_to_case(found, f"person-{person.id}")


@bp.post("/cases/<int:case_id>/people/<int:person_id>/delete")
@requires(Permission.CASES)
def remove_case_person(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = _person_or_404(found, person_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    role = person.role
    try:
        people_rules.remove_person(db.session, found, person, g.staff)
    except people_rules.PersonError as error:
        flash(_removal_refused(error.errors.get("person", "")))
        return redirect(
            url_for("backoffice.case_person", case_id=found.id, person_id=person_id), code=303
        )
    audit_case("case.person_removed", found, detail=f"person {person_id} {role}")
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
        relation = people_rules.add_relation(
            db.session, found, g.staff, form["person"], form["kind"], form["other"]
        )
    except people_rules.PersonError as error:
        form["errors"] = {f: _person_error(f, code) for f, code in error.errors.items()}
        return render_case(found, relation_form=form)
    audit_case("case.relation_added", found, detail=_relation_detail(relation))
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
    detail = _relation_detail(relation)
    people_rules.remove_relation(db.session, found, relation, g.staff)
    audit_case("case.relation_removed", found, detail=detail)
    db.session.commit()
    flash(_("The relation is removed."))
    return back_to_case(found, "relations")


# Safety plans -------------------------------------------------------------


def _plan_form_of(plan) -> dict:
    content = plan.content if plan is not None else {}
    return {"content": {s: content.get(s, "") for s in safety_plans.SECTIONS}, "errors": {}}


def _plan_error(error: safety_plans.SafetyPlanError) -> tuple[str, str]:
    """(field id suffix, message) for the error summary and the field."""
    if error.code == "too_long":
        return error.section, _(
            "Please keep this under %(max)d characters.", max=people_rules.TEXT_MAX
        )
    return safety_plans.SECTIONS[0], _("Fill in at least one part of the plan.")


def _render_plan(found: Case, person: CasePerson, form: dict):
    session = db.session
    versions = safety_plans.history(session, person)
    staff_ids = {v.staff_id for v in versions if v.staff_id}
    rows = session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids)))
    staff_names = {staff_id: name for staff_id, name in rows}
    return render_template(
        "backoffice/safety_plan.html",
        case=found,
        person=person,
        person_label=person_names(list(found.people))[person.id],
        versions=versions,
        staff_names=staff_names,
        plan_form=form,
        plan_sections=safety_plans.SECTIONS,
        plan_section_labels=SAFETY_PLAN_SECTION_LABELS,
        plan_section_hints=PLAN_SECTION_HINTS,
    )


@bp.get("/cases/<int:case_id>/people/<int:person_id>/safety-plan")
@requires(Permission.CASES)
def safety_plan(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = _person_or_404(found, person_id)
    record_read(
        "case.safety_plan_viewed",
        target_type="case",
        target_id=found.id,
        detail=f"person {person.id}",
    )
    return _render_plan(found, person, _plan_form_of(safety_plans.current(db.session, person)))


@bp.post("/cases/<int:case_id>/people/<int:person_id>/safety-plan")
@requires(Permission.CASES)
def save_safety_plan(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = _person_or_404(found, person_id)
    if (refused := refuse_if_closed(found)) is not None:
        return refused
    content = {s: request.form.get(f"section-{s}", "") for s in safety_plans.SECTIONS}
    try:
        plan = safety_plans.save(db.session, found, person, g.staff, content)
    except safety_plans.SafetyPlanError as error:
        field, message = _plan_error(error)
        return _render_plan(found, person, {"content": content, "errors": {field: message}})
    here = url_for("backoffice.safety_plan", case_id=found.id, person_id=person.id)
    if plan is None:
        flash(_("Nothing changed: the plan is the same as the last version, so nothing was added."))
        return redirect(here, code=303)
    audit_case("case.safety_plan_saved", found, detail=f"safety plan {plan.id} person {person.id}")
    db.session.commit()
    flash(_("The safety plan is saved."))
    return redirect(here, code=303)
