import re

import pytest
from sqlalchemy import func, select

from core.intake import return_codes
from core.model import Intake, IntakeKind, IntakeStatus
from tests.portal.helpers import municipality_id
from web.db import db

CODE_PATTERN = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")


def _code_on(response) -> str:
    found = CODE_PATTERN.findall(response.get_data(as_text=True))
    assert len(found) == 1, "the return code is shown exactly once"
    return found[0]


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Intake.id)))


def test_a_contact_request_is_stored_and_a_return_code_shown_once(app, client):
    response = client.submit(
        "/nl/contact",
        {
            "danger_now": "no",
            "name": "Sam",
            "phone": "0470 12 34 56",
            "phone_permissions": ["call", "text"],
            "email": "",
            "safe_days": ["mon", "wed"],
            "safe_times": ["morning"],
            "safe_word": "blue umbrella",
            "contact_language": "fr",
            "interpreter_needed": "y",
            "municipality": municipality_id(app, "Lier"),
            "children_involved": "yes",
            "story": "Ik wil praten.",
        },
    )
    assert response.status_code == 200
    shown = _code_on(response)
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.kind == IntakeKind.CONTACT
        assert intake.status == IntakeStatus.NEW
        assert intake.language == "nl"
        assert intake.phone == "0470 12 34 56"
        assert intake.email is None
        assert intake.may_call is True
        assert intake.may_text is True
        assert intake.may_voicemail is False, "not ticked means no"
        assert intake.phone_say_who is False
        assert intake.email_say_who is None, "no e-mail, so no e-mail permission"
        assert intake.name == "Sam"
        assert intake.safe_days == "mon,wed"
        assert intake.safe_times == "morning"
        assert intake.safe_word == "blue umbrella"
        assert intake.contact_language == "fr"
        assert intake.interpreter_needed is True
        assert intake.municipality.name == "Lier"
        assert intake.children_involved == "yes"
        assert intake.danger_now is False
        assert intake.phone_index is not None and intake.email_index is None
        assert intake.story == "Ik wil praten."
        code = shown.replace(" ", "")
        assert intake.return_code_key == return_codes.lookup_key(code)
        assert code not in (intake.submission_key or "")


def test_the_form_asks_browsers_not_to_remember_what_was_typed(client):
    form = next(client.get("/nl/contact").page.iter("form"))
    assert form.get("autocomplete") == "off"


def test_sending_the_same_form_twice_makes_one_request(app, client):
    page = client.get("/en/contact")
    hidden = {
        el.get("name"): el.get("value")
        for el in page.page.iter("input")
        if el.get("type") == "hidden"
    }
    data = {**hidden, "email": "veilig@example.be", "story": ""}
    first = client.post("/en/contact", data=data)
    second = client.post("/en/contact", data=data)
    _code_on(first)
    assert "already sent" in second.get_data(as_text=True)
    assert not CODE_PATTERN.search(second.get_data(as_text=True))
    assert _count(app) == 1


def test_without_any_way_to_reach_the_person_it_says_so_and_keeps_the_story(app, client):
    response = client.submit("/en/contact", {"phone": "", "email": "", "story": "My story <b>"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Give a phone number or an e-mail address" in body
    textarea = next(el for el in response.page.iter("textarea") if el.get("name") == "story")
    assert textarea.text.strip() == "My story <b>"
    assert _count(app) == 0


def test_errors_are_summarised_and_linked_to_their_fields(client):
    response = client.submit(
        "/en/contact", {"phone": "0470 12 34 56", "email": "not-an-address", "story": ""}
    )
    page = response.page
    summary_links = [a.get("href") for a in page.iter("a") if a.get("href", "").startswith("#")]
    assert "#email" in summary_links and "#phone_permissions" in summary_links
    email = next(el for el in page.iter("input") if el.get("name") == "email")
    assert email.get("value") == "not-an-address"
    assert email.get("aria-invalid") == "true"
    assert "email-error" in email.get("aria-describedby").split()
    error = next(el for el in page.iter("p") if el.get("id") == "email-error")
    assert "name@example.be" in error.text
    assert page.find("./head/title").text.startswith("Error")


def test_errors_are_translated(client):
    response = client.submit("/fr/contact", {"phone": "", "email": "", "story": ""})
    body = response.get_data(as_text=True)
    assert "Give a phone number" not in body
    assert "error-summary" in body


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE intakes; --",
        "Ω≈ç√∫˜µ≤≥÷ 田中さんにあげて下さい 👩‍👩‍👧",
        "‮ right-to-left override ‭",
        "{{ 7*7 }} ${7*7} %(name)s",
        "\u0000null byte",
    ],
)
def test_hostile_text_is_stored_verbatim_and_shown_escaped(app, client, signed_in, hostile):
    response = client.submit("/nl/contact", {"email": "x@example.be", "story": hostile})
    assert response.status_code == 200
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        expected = hostile.replace("\u0000", "")
        assert intake.story.strip() == expected.strip()
        intake_id = intake.id
    signed_in("coordinator")
    page = client.get(f"/staff/intakes/{intake_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    if "7*7" in hostile:
        assert "{{ 7*7 }}" in body, "text is shown as typed, never evaluated"


def test_a_story_that_is_too_long_is_refused_and_kept(app, client):
    long_story = "a" * 4001
    response = client.submit("/en/contact", {"email": "x@example.be", "story": long_story})
    assert "under 4000 characters" in response.get_data(as_text=True)
    assert long_story in response.get_data(as_text=True)
    assert _count(app) == 0


def test_a_form_without_csrf_token_gets_a_calm_page_and_stores_nothing(app, client):
    response = client.post("/nl/contact", data={"email": "x@example.be"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert _count(app) == 0


def test_too_many_submissions_get_a_calm_translated_page(app, client):
    for n in range(10):
        ok = client.submit("/en/contact", {"email": f"n{n}@example.be"})
        assert ok.status_code == 200
    blocked = client.submit("/en/contact", {"email": "late@example.be"})
    assert blocked.status_code == 429
    assert "Please wait" in blocked.get_data(as_text=True)
    assert _count(app) == 10


def test_a_huge_body_is_refused(client):
    response = client.post("/nl/contact", data={"story": "x" * 100_000})
    assert response.status_code == 413


def test_a_person_in_danger_sees_112_and_101_and_the_request_is_still_taken(app, client):
    response = client.submit("/en/contact", {"danger_now": "yes", "email": "safe@example.be"})
    assert response.status_code == 200
    _code_on(response)
    box = next(el for el in response.page.iter("div") if el.get("class") == "danger-box")
    numbers = {a.get("href") for a in box.iter("a")}
    assert numbers == {"tel:112", "tel:101"}
    # 112 and 101 come before anything else on the page, and no working day is promised.
    main = next(response.page.iter("main"))
    assert next(el for el in main.iter() if el.tag in ("div", "h1")) is box
    assert "working day" not in response.get_data(as_text=True)
    assert "We read messages from people in danger first." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Intake)).one().danger_now is True


def test_a_bot_that_fills_the_hidden_field_gets_a_page_but_nothing_is_stored(app, client):
    response = client.submit("/en/contact", {"email": "bot@example.be", "website": "spam"})
    assert response.status_code == 200
    assert _count(app) == 0


def test_the_municipalities_come_from_the_centre_file(app, client):
    page = client.get("/nl/contact").page
    select_element = next(el for el in page.iter("select") if el.get("name") == "municipality")
    names = [option.text for option in select_element.iter("option")]
    assert "Mechelen" in names and "Bornem" in names
    assert len(names) == 12 + 2, "the twelve municipalities, 'choose' and 'another one'"


@pytest.mark.parametrize("value", ["99999", "²", "9" * 30])
def test_an_unknown_municipality_is_refused(app, client, value):
    response = client.submit("/en/contact", {"email": "x@example.be", "municipality": value})
    assert response.status_code == 200
    assert "Choose from the list." in response.get_data(as_text=True)
    assert _count(app) == 0
