"""People, relations and safety plans in a case file, over HTTP."""

import pytest
from sqlalchemy import select

from backoffice.forms.safety_plan import SafetyPlanForm
from core.casework import safety_plans
from core.model import AuditEvent, Case, CasePerson, CaseRelation, SafetyPlan
from tests.backoffice.helpers import open_test_case, staff_client
from tests.pages import form_values
from web.db import db


def _child(**extra):
    data = {
        "role": "child",
        "name": "Noor",
        "birth_year": "2018",
        "school_contacts": "Basisschool De Klimop, juf Els 015 12 34 56",
        "contact_safety": "Only through the school.",
        "notes": "",
    }
    data.update(extra)
    return data


def messages(response) -> str:
    """The words a reader sees on the page, spaces collapsed."""
    return " ".join("".join(response.page.itertext()).split())


def _by_id(response, element_id: str):
    found = [el for el in response.page.iter() if el.get("id") == element_id]
    assert len(found) == 1, element_id
    return found[0]


def _labels_point_at_fields(response, action: str) -> None:
    """Every label of the POST form to `action` names the id of one of its fields."""
    (form,) = [f for f in response.page.iter("form") if f.get("action") == action]
    fields = {el.get("id") for el in form.iter() if el.tag in ("input", "select", "textarea")}
    labels = [el.get("for") for el in form.iter("label")]
    assert labels and set(labels) <= fields, set(labels) - fields


def _people(app, case_id):
    with app.app_context():
        return {p.name: p.id for p in db.session.get(Case, case_id).people}


@pytest.fixture
def director_and_case(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    return staff_client(app, ann), open_test_case(app, ann[0])


def test_a_child_with_age_and_school_contacts_shows_on_the_case_page(app, director_and_case, clock):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    victim_id = _people(app, case_id)["Sam"]
    added = director.submit(
        f"{page}/people",
        _child(relation_kind="child", relation_to=str(victim_id)),
        form_page=page,
    )
    assert added.status_code == 303
    assert added.headers["Location"].endswith(f"{page}#person-{_people(app, case_id)['Noor']}")
    body = messages(director.get(page))
    this_year = clock().year
    assert "The person is added." in body
    assert "Child: Noor" in body
    assert f"about {this_year - 2018} years" in body
    assert "Basisschool De Klimop, juf Els 015 12 34 56" in body
    assert "Only through the school." in body
    assert "Noor is the child of Sam." in body
    assert "Person added: Child" in body and "Relation added: child" in body
    assert "no safety plan yet" in body

    # The person causing harm: no name known, not to be contacted directly.
    director.submit(
        f"{page}/people",
        {"role": "person_causing_harm", "no_direct_contact": "yes"},
        form_page=page,
    )
    body = messages(director.get(page))
    assert "Person causing harm: name not given" in body
    assert "Do not contact directly." in body
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action.like("case.%_added"))
        ).all()
    assert all("Noor" not in (d or "") for d in details)
    assert any(d.endswith(" child") and d.startswith("person ") for d in details)


def test_a_refused_person_keeps_what_was_typed(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    refused = director.submit(f"{page}/people", _child(birth_year="2l18"), form_page=page)
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "Write the year of birth in four digits, like 2018." in body
    assert 'href="#person-birth_year"' in body
    assert 'value="2l18"' in body and 'value="Noor"' in body
    year = _by_id(refused, "person-birth_year")
    assert year.get("aria-invalid") == "true"
    assert year.get("aria-describedby") == "person-birth_year-hint person-birth_year-error"
    assert "Basisschool De Klimop" in body
    assert len(_people(app, case_id)) == 1


def test_editing_keeps_typed_input_on_error_in_the_staff_language(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = open_test_case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", _child(), form_page=page)
    person_page = f"{page}/people/{_people(app, case_id)['Noor']}"
    assert director.get(person_page).status_code == 200

    refused = director.submit(
        person_page, _child(name="Noor Peeters", birth_year="2999"), form_page=person_page
    )
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "The year of birth cannot be in the future." in body
    assert 'value="Noor Peeters"' in body and 'value="2999"' in body
    assert "Noor" in _people(app, case_id)

    # The error speaks the staff member's language (a message the catalogue has).
    director.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    refused = director.submit(person_page, _child(name="N" * 201), form_page=person_page)
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert 'lang="nl"' in body and "Schrijf minder dan 200 tekens." in body
    assert f'value="{"N" * 201}"' in body

    director.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    saved = director.submit(person_page, _child(name="Noor Peeters"), form_page=person_page)
    assert saved.status_code == 303
    assert "Noor Peeters" in _people(app, case_id)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "case.person_viewed" in actions and "case.person_updated" in actions


def test_relations_are_refused_for_oneself_and_can_be_removed(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", _child(), form_page=page)
    ids = _people(app, case_id)
    refused = director.submit(
        f"{page}/relations",
        {"person": str(ids["Noor"]), "kind": "sibling", "other": str(ids["Noor"])},
        form_page=page,
    )
    assert refused.status_code == 200
    assert "A person cannot be related to themselves." in messages(refused)
    added = director.submit(
        f"{page}/relations",
        {"person": str(ids["Sam"]), "kind": "parent", "other": str(ids["Noor"])},
        form_page=page,
    )
    assert added.status_code == 303
    assert "Sam is the parent of Noor." in messages(director.get(page))
    twice = director.submit(
        f"{page}/relations",
        {"person": str(ids["Sam"]), "kind": "parent", "other": str(ids["Noor"])},
        form_page=page,
    )
    assert "This relation is already in the file." in messages(twice)
    with app.app_context():
        relation_id = db.session.scalar(select(CaseRelation.id))
    removed = director.submit(f"{page}/relations/{relation_id}/delete", {}, form_page=page)
    assert removed.status_code == 303
    body = messages(director.get(page))
    assert "Sam is the parent of Noor." not in body and "Relation removed: parent" in body


def test_removal_is_refused_for_the_victim_and_a_person_with_a_plan(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", _child(), form_page=page)
    director.submit(f"{page}/people", _child(name="Mo", birth_year="2020"), form_page=page)
    ids = _people(app, case_id)
    token = form_values(director.get(page).page)["csrf_token"]

    refused = director.post(f"{page}/people/{ids['Sam']}/delete", data={"csrf_token": token})
    assert refused.status_code == 303
    assert "This is the victim from the request." in messages(director.get(refused.location))

    plan_page = f"{page}/people/{ids['Noor']}/safety-plan"
    director.submit(plan_page, {"section-where_i_go": "Bij oma"}, form_page=plan_page)
    refused = director.post(f"{page}/people/{ids['Noor']}/delete", data={"csrf_token": token})
    assert "This person has a safety plan." in messages(director.get(refused.location))

    person_page = f"{page}/people/{ids['Mo']}"
    removed = director.submit(f"{person_page}/delete", {}, form_page=person_page)
    assert removed.status_code == 303
    assert set(_people(app, case_id)) == {"Sam", "Noor"}
    assert "Person removed: Child" in messages(director.get(page))


def test_a_safety_plan_saved_twice_shows_its_history(app, director_and_case, clock):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    victim_id = _people(app, case_id)["Sam"]
    plan_page = f"{page}/people/{victim_id}/safety-plan"
    body = messages(director.get(plan_page))
    assert "No safety plan yet." in body and "112" in body and "1712" in body

    empty = director.submit(plan_page, {}, form_page=plan_page)
    assert empty.status_code == 200
    assert "Fill in at least one part of the plan." in messages(empty)

    first = director.submit(
        plan_page, {"section-warning_signs": "He drinks on Fridays."}, form_page=plan_page
    )
    assert first.status_code == 303
    clock.advance(minutes=10)
    second = {"section-safe_places": "My sister in Lier.", "section-warning_signs": "He drinks."}
    director.submit(plan_page, second, form_page=plan_page)
    again = director.submit(plan_page, second, form_page=plan_page)
    assert again.status_code == 303
    body = messages(director.get(plan_page))
    assert "Nothing changed: the plan is the same as the last version" in body
    assert "Last updated on" in body and "by Ann" in body
    assert "Versions of the plan, newest first" in body
    assert "He drinks on Fridays." in body  # the earlier version
    assert "My sister in Lier.</textarea>" in director.get(plan_page).get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(SafetyPlan)).all()) == 2
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("case.safety_plan_saved") == 2
    assert "case.safety_plan_viewed" in actions
    assert "last updated on" in messages(director.get(page))


def test_a_case_director_not_on_the_file_gets_403_everywhere(app, make_staff, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", _child(relation_kind="child", relation_to=""), form_page=page)
    director.submit(f"{page}/people", _child(), form_page=page)
    ids = _people(app, case_id)
    director.submit(
        f"{page}/relations",
        {"person": str(ids["Sam"]), "kind": "parent", "other": str(ids["Noor"])},
        form_page=page,
    )
    with app.app_context():
        relation_id = db.session.scalar(select(CaseRelation.id))

    bram = staff_client(app, make_staff("case_director", name="Bram"))
    token = form_values(bram.get("/staff/cases").page)["csrf_token"]
    person = f"{page}/people/{ids['Noor']}"
    for path in (person, f"{person}/safety-plan"):
        assert bram.get(path).status_code == 403
    posts = {
        f"{page}/people": _child(name="Intruder"),
        person: _child(name="Changed"),
        f"{person}/delete": {},
        f"{person}/safety-plan": {"section-where_i_go": "Nowhere"},
        f"{page}/relations": {
            "person": str(ids["Noor"]),
            "kind": "child",
            "other": str(ids["Sam"]),
        },
        f"{page}/relations/{relation_id}/delete": {},
    }
    for path, data in posts.items():
        assert bram.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert set(_people(app, case_id)) == {"Sam", "Noor"}
    with app.app_context():
        assert db.session.scalars(select(SafetyPlan)).all() == []
        assert len(db.session.scalars(select(CaseRelation)).all()) == 1


def test_a_closed_case_refuses_changes_and_shows_no_forms(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", _child(), form_page=page)
    ids = _people(app, case_id)
    token = form_values(director.get(page).page)["csrf_token"]
    director.submit(f"{page}/close", {"reason": "goals_reached"}, form_page=page)
    body = director.get(page).get_data(as_text=True)
    assert "Add a person" not in body and "Add a relation" not in body
    person = f"{page}/people/{ids['Noor']}"
    assert "Save the changes" not in director.get(person).get_data(as_text=True)
    assert "Save the safety plan" not in director.get(f"{person}/safety-plan").get_data(
        as_text=True
    )
    posts = {
        f"{page}/people": _child(name="Later"),
        person: _child(name="Changed"),
        f"{person}/delete": {},
        f"{person}/safety-plan": {"section-where_i_go": "Bij oma"},
        f"{page}/relations": {
            "person": str(ids["Noor"]),
            "kind": "child",
            "other": str(ids["Sam"]),
        },
    }
    for path, data in posts.items():
        refused = director.post(path, data={**data, "csrf_token": token})
        assert refused.status_code == 303, path
        assert "This case file is closed." in messages(director.get(refused.location))
    assert set(_people(app, case_id)) == {"Sam", "Noor"}
    with app.app_context():
        assert db.session.scalars(select(SafetyPlan)).all() == []
        assert db.session.scalars(select(CaseRelation)).all() == []
        assert db.session.get(CasePerson, ids["Noor"]).name == "Noor"


def test_the_case_page_reads_relations_and_plans_in_one_query_each(app, director_and_case):
    from sqlalchemy import event

    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    victim_id = _people(app, case_id)["Sam"]
    for number in range(4):
        name = f"Child {number}"
        director.submit(
            f"{page}/people",
            _child(name=name, relation_kind="child", relation_to=str(victim_id)),
            form_page=page,
        )
        plan_page = f"{page}/people/{_people(app, case_id)[name]}/safety-plan"
        director.submit(plan_page, {"section-where_i_go": "School"}, form_page=plan_page)

    statements = []
    with app.app_context():
        engine = db.get_engine()

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        body = messages(director.get(page))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert body.count("last updated on") == 4
    # Each sentence is read once, and once more inside its "Remove" button.
    assert body.count("is the child of Sam.") == 8
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in reads if "FROM case_relations" in s]) == 1
    assert len([s for s in reads if "FROM safety_plans" in s]) == 1


def test_hostile_names_are_shown_as_typed_and_never_run(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    hostile = "<script>alert(1)</script> %(other)s {{ 7*7 }}"
    victim_id = _people(app, case_id)["Sam"]
    director.submit(
        f"{page}/people",
        {
            "role": "other_adult",
            "name": hostile,
            "relation_kind": "sibling",
            "relation_to": str(victim_id),
        },
        form_page=page,
    )
    response = director.get(page)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert f"{hostile} is a brother or sister of Sam." in messages(response)


def test_the_forms_label_every_field_and_a_refused_relation_keeps_the_choices(
    app, director_and_case
):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", _child(), form_page=page)
    ids = _people(app, case_id)
    shown = director.get(page)
    _labels_point_at_fields(shown, f"{page}/people")
    _labels_point_at_fields(shown, f"{page}/relations")
    person_page = f"{page}/people/{ids['Noor']}"
    _labels_point_at_fields(director.get(person_page), person_page)
    plan_page = f"{person_page}/safety-plan"
    _labels_point_at_fields(director.get(plan_page), plan_page)

    refused = director.submit(
        f"{page}/relations",
        {"person": str(ids["Noor"]), "kind": "", "other": str(ids["Sam"])},
        form_page=page,
    )
    assert refused.status_code == 200
    kind = _by_id(refused, "relation-kind")
    assert kind.get("aria-invalid") == "true"
    assert kind.get("aria-describedby") == "relation-kind-error"
    assert "Choose how they are related." in messages(refused)
    summary = [a.get("href") for a in refused.page.iter("a") if a.get("href", "").startswith("#")]
    assert "#relation-kind" in summary
    chosen = {
        select.get("id"): [o.get("value") for o in select.iter("option") if "selected" in o.attrib]
        for select in refused.page.iter("select")
    }
    assert chosen["relation-person"] == [str(ids["Noor"])]
    assert chosen["relation-other"] == [str(ids["Sam"])]
    # The other forms of the page stay as they were: empty.
    assert chosen["person-relation_to"] == []
    assert _by_id(refused, "person-name").get("value") == ""


def test_do_not_contact_directly_is_ticked_and_can_be_unticked(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", _child(no_direct_contact="yes"), form_page=page)
    noor_id = _people(app, case_id)["Noor"]
    person_page = f"{page}/people/{noor_id}"
    box = _by_id(director.get(person_page), "person-no_direct_contact")
    assert (box.get("type"), box.get("value"), box.get("checked")) == ("checkbox", "yes", "")
    unticked = director.submit(person_page, _child(), form_page=person_page)
    assert unticked.status_code == 303
    assert _by_id(director.get(person_page), "person-no_direct_contact").get("checked") is None
    with app.app_context():
        assert db.session.get(CasePerson, noor_id).no_direct_contact is False


def test_a_refused_plan_marks_each_part_too_long_and_keeps_the_text(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    plan_page = f"{page}/people/{_people(app, case_id)['Sam']}/safety-plan"
    typed = {
        "section-safe_places": "x" * 4001,
        "section-emergency": "Call 112.",
        "section-children": "y" * 4001,
    }
    refused = director.submit(plan_page, typed, form_page=plan_page)
    assert refused.status_code == 200
    assert messages(refused).count("Please keep this under 4000 characters.") == 4
    for part in ("safe_places", "children"):
        area = _by_id(refused, f"plan-{part}")
        assert area.get("name") == f"section-{part}"
        assert area.get("aria-invalid") == "true"
        assert area.get("aria-describedby") == f"plan-{part}-hint plan-{part}-error"
    assert _by_id(refused, "plan-emergency").text.strip() == "Call 112."
    assert _by_id(refused, "plan-emergency").get("aria-invalid") is None
    links = [a.get("href") for a in refused.page.iter("a") if a.get("href", "").startswith("#")]
    assert "#plan-safe_places" in links and "#plan-children" in links
    with app.app_context():
        assert db.session.scalars(select(SafetyPlan)).all() == []

    empty = director.submit(plan_page, {}, form_page=plan_page)
    assert _by_id(empty, "plan-warning_signs").get("aria-invalid") == "true"
    assert "#plan-warning_signs" in [a.get("href") for a in empty.page.iter("a")]


def test_the_plan_form_has_a_field_for_every_part_of_an_adults_and_a_childs_plan(app):
    with app.test_request_context():
        form = SafetyPlanForm.blank()
    assert [f.short_name for f in form] == list(safety_plans.ALL_SECTIONS)
    assert [f.name for f in form] == [f"section-{part}" for part in safety_plans.ALL_SECTIONS]
