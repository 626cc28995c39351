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
