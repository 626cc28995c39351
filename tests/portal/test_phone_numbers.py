"""Phone numbers on the portal's doors: one nobody can call is refused with
what was typed kept, a valid one is stored in the one form staff read."""

import pytest
from sqlalchemy import func, select

from core.infra.blind_index import phone_index
from core.model import Intake
from tests.portal.helpers import municipality_id
from web.db import db

MESSAGE = "Type a phone number we can call, like 0470 12 34 56 or +31 6 12345678."


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Intake.id)))


def _contact(phone: str) -> dict:
    return {"phone": phone, "phone_permissions": ["call"], "email": "", "story": ""}


def _input(response, name: str):
    return next(el for el in response.page.iter("input") if el.get("name") == name)


def _error(response, field_id: str) -> str:
    found = [el for el in response.page.iter("p") if el.get("id") == f"{field_id}-error"]
    return " ".join("".join(found[0].itertext()).split()) if found else ""


def _summary_links(response) -> list[str]:
    summary = next(el for el in response.page.iter("div") if el.get("class") == "error-summary")
    return [a.get("href") for a in summary.iter("a")]


@pytest.mark.parametrize(
    "typed",
    ["0470 12 34", "012345", "0470 12 34 56 78 90 12 34 56 78", "my number", "+31 470 12 34 56"],
)
def test_a_number_nobody_can_call_is_refused_kept_and_nothing_stored(app, client, typed):
    response = client.submit("/en/contact", _contact(typed))
    assert response.status_code == 200
    assert _error(response, "phone") == MESSAGE
    phone = _input(response, "phone")
    assert phone.get("value") == typed
    assert phone.get("aria-invalid") == "true"
    assert "#phone" in _summary_links(response)
    assert _count(app) == 0


def test_a_belgian_number_typed_internationally_is_stored_in_the_national_form(app, client):
    response = client.submit("/en/contact", _contact("+32 470 12 34 56"))
    assert response.status_code == 200 and _count(app) == 1
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.phone == "0470 12 34 56"
        assert intake.phone_index == phone_index("0470123456")
        assert intake.may_call is True


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0470/12.34.56", "0470 12 34 56"),
        ("015 12 34 56", "015 12 34 56"),
        ("0031 6 12345678", "+31 6 12345678"),
        ("+31 6 12345678", "+31 6 12345678"),
    ],
)
def test_every_usual_way_of_writing_a_number_is_taken(app, client, typed, stored):
    client.submit("/nl/contact", _contact(typed))
    with app.app_context():
        assert db.session.scalars(select(Intake.phone)).one() == stored


def test_another_problem_shows_the_number_in_the_form_it_will_be_stored(app, client):
    response = client.submit(
        "/en/contact", {**_contact("+32 470 12 34 56"), "email": "not-an-address"}
    )
    assert _input(response, "phone").get("value") == "0470 12 34 56"
    assert _error(response, "phone") == ""
    assert _count(app) == 0


def _referral(app, **changes) -> dict:
    return {
        "referrer_organisation": "CAW Boom Mechelen Lier",
        "referrer_name": "Els Maes",
        "referrer_phone": "015 12 34 56",
        "referrer_email": "",
        "client_consent": "agrees",
        "phone": "0470 99 88 77",
        "phone_permissions": ["call"],
        "municipality": municipality_id(app, "Mechelen"),
        "urgency": "today",
        **changes,
    }


def test_the_referral_door_refuses_a_short_client_or_referrer_number(app, client):
    response = client.submit(
        "/en/referral", _referral(app, phone="0470 99 88", referrer_phone="015 12 34")
    )
    assert _error(response, "phone") == MESSAGE
    assert _error(response, "referrer_phone") == MESSAGE
    assert _input(response, "phone").get("value") == "0470 99 88"
    assert _input(response, "referrer_phone").get("value") == "015 12 34"
    assert _count(app) == 0


def test_the_referral_door_stores_both_numbers_in_the_one_form(app, client):
    client.submit(
        "/en/referral",
        _referral(app, phone="0032 470 99 88 77", referrer_phone="+32 (0)15 12.34.56"),
    )
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.phone == "0470 99 88 77"
        assert intake.referral.phone == "015 12 34 56"
