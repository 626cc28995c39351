"""Phone numbers in the back office: the person form of a case file refuses a
number nobody can call and stores the one form; requests with one number
typed differently are shown as the same person."""

import pytest
from sqlalchemy import select

from core.model import Case, Intake
from tests.backoffice.helpers import open_test_case, staff_client
from web.db import db

MESSAGE = "Type a phone number we can call, like 0470 12 34 56 or +31 6 12345678."


@pytest.fixture
def director_and_case(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    return staff_client(app, ann), open_test_case(app, ann[0])


def _people(app, case_id) -> dict[str, str | None]:
    with app.app_context():
        return {p.name: p.phone for p in db.session.get(Case, case_id).people}


def _by_id(response, element_id: str):
    (found,) = [el for el in response.page.iter() if el.get("id") == element_id]
    return found


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _adult(**extra) -> dict:
    return {"role": "other_adult", "name": "Rita", "phone": "", **extra}


def test_the_person_form_refuses_a_short_number_and_keeps_it(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    refused = director.submit(f"{page}/people", _adult(phone="0470 12 34"), form_page=page)
    assert refused.status_code == 200
    assert _text(_by_id(refused, "person-phone-error")) == MESSAGE
    phone = _by_id(refused, "person-phone")
    assert phone.get("value") == "0470 12 34" and phone.get("aria-invalid") == "true"
    assert _by_id(refused, "person-name").get("value") == "Rita"
    assert "Rita" not in _people(app, case_id)


def test_a_refused_number_is_named_with_every_other_problem_at_once(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    refused = director.submit(
        f"{page}/people", _adult(role="", phone="012345", birth_year="1990"), form_page=page
    )
    summary = next(el for el in refused.page.iter("div") if el.get("class") == "error-summary")
    links = {a.get("href") for a in summary.iter("a")}
    assert {"#person-role", "#person-phone"} <= links
    assert _text(_by_id(refused, "person-phone-error")) == MESSAGE


def test_the_person_form_stores_the_number_in_the_one_form(app, director_and_case):
    director, case_id = director_and_case
    page = f"/staff/cases/{case_id}"
    added = director.submit(f"{page}/people", _adult(phone="+32 470 12 34 56"), form_page=page)
    assert added.status_code == 303
    assert _people(app, case_id)["Rita"] == "0470 12 34 56"
    with app.app_context():
        rita = next(p for p in db.session.get(Case, case_id).people if p.name == "Rita")
        person_page = f"{page}/people/{rita.id}"
    # Changed on the person's own page: a Dutch number stays international.
    saved = director.submit(person_page, _adult(phone="0031 6 12345678"), form_page=person_page)
    assert saved.status_code == 303
    assert _people(app, case_id)["Rita"] == "+31 6 12345678"
    refused = director.submit(person_page, _adult(phone="0470 12 34 56 7"), form_page=person_page)
    assert _text(_by_id(refused, "person-phone-error")) == MESSAGE
    assert _by_id(refused, "person-phone").get("value") == "0470 12 34 56 7"
    assert _people(app, case_id)["Rita"] == "+31 6 12345678"


def _request(client, phone: str) -> int:
    client.submit(
        "/en/contact", {"phone": phone, "phone_permissions": ["text"], "email": "", "story": ""}
    )
    with client.application.app_context():
        return db.session.scalar(select(Intake.id).order_by(Intake.id.desc()))


def _matches(page) -> set[str]:
    """The request links under "Looks like the same person"."""
    heading = next(el for el in page.iter("h2") if _text(el) == "Looks like the same person")
    found, after = set(), False
    for el in page.iter():
        if el is heading:
            after = True
        elif after and el.tag == "h2":
            break
        elif after and el.tag == "a":
            found.add(el.get("href"))
    return found


def test_one_number_typed_two_ways_is_matched_as_the_same_person(app, client, signed_in):
    first = _request(client, "0470/12.34.56")
    second = _request(client, "+32470123456")
    other = _request(client, "0470 12 34 57")
    with app.app_context():
        stored = db.session.scalars(select(Intake.phone).order_by(Intake.id)).all()
    assert stored == ["0470 12 34 56", "0470 12 34 56", "0470 12 34 57"]
    signed_in("case_director")
    page = client.get(f"/staff/intakes/{second}").page
    assert _matches(page) == {f"/staff/intakes/{first}"}
    assert f"/staff/intakes/{other}" not in _matches(page)
