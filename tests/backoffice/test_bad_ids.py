"""Ids that are not plain numbers ("²", Arabic digits, more digits than a database
holds) get a calm refusal, never a server error."""

import pytest

from tests.backoffice.helpers import open_test_case, staff_client

ODD = ["²", "٣", "9" * 30]


@pytest.fixture
def director_case(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    return staff_client(app, ann), open_test_case(app, ann[0])


@pytest.mark.parametrize("value", ODD)
def test_an_odd_action_owner_is_refused_on_its_field(director_case, value):
    director, case_id = director_case
    page = f"/staff/cases/{case_id}"
    refused = director.submit(
        f"{page}/actions", {"title": "Call the school", "owner": f"staff:{value}"}, form_page=page
    )
    assert refused.status_code == 200
    owner = next(el for el in refused.page.iter() if el.get("id") == "action-add-owner")
    assert owner.get("aria-invalid") == "true"


@pytest.mark.parametrize("value", ["²²²²", "٢٠١٨"])
def test_an_odd_year_of_birth_is_refused_on_its_field(director_case, value):
    director, case_id = director_case
    page = f"/staff/cases/{case_id}"
    refused = director.submit(
        f"{page}/people", {"role": "child", "name": "Noor", "birth_year": value}, form_page=page
    )
    assert refused.status_code == 200
    assert "Write the year of birth in four digits, like 2018." in refused.get_data(as_text=True)


@pytest.mark.parametrize("value", ODD)
def test_an_odd_partner_in_a_print_is_not_found_and_an_odd_page_is_the_first(director_case, value):
    director, case_id = director_case
    assert director.get(f"/staff/cases/{case_id}/print?partner={value}").status_code == 404
    assert director.get(f"/staff/cases?page={value}").status_code == 200


HUGE = "9" * 30


def test_ids_in_the_address_longer_than_any_row_are_not_found(app, director_case):
    """Every <int:...> in every staff and portal route stops at the largest id."""
    director, case_id = director_case
    routes = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule and "GET" in rule.methods
    ]
    assert routes
    for route in routes:
        path = route
        while "<int:" in path:
            start = path.index("<int:")
            path = path[:start] + HUGE + path[path.index(">", start) + 1 :]
        response = director.get(path)
        assert response.status_code == 404, (route, response.status_code)


@pytest.mark.parametrize("page", [HUGE, "-3", "²", "99999"])
def test_any_page_number_shows_a_page_of_the_queue(app, director_case, page):
    director, _case_id = director_case
    response = director.get(f"/staff/?status=all&page={page}")
    assert response.status_code == 200


def test_a_request_cannot_be_given_to_an_administrator(app, client, make_staff):
    from sqlalchemy import select

    from core.model import Intake
    from tests.pages import form_values
    from web.db import db

    client.submit("/en/contact", {"email": "p@example.be"})
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    admin_id, _ = make_staff("admin")
    coordinator = staff_client(app, make_staff("coordinator"))
    page = coordinator.get(f"/staff/intakes/{intake_id}").page
    offered = {el.get("value") for el in page.iter("option")}
    assert str(admin_id) not in offered
    forged = coordinator.post(
        f"/staff/intakes/{intake_id}/assign",
        data={"csrf_token": form_values(page)["csrf_token"], "assign-staff_id": str(admin_id)},
    )
    assert forged.status_code == 400
    with app.app_context():
        assert db.session.get(Intake, intake_id).assigned_to_id is None
