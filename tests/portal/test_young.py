"""The door for young people, /<lang>/young, over HTTP on both backends: their
own questions, only the way in they chose, never their parents; ranked in the
queue with its reason; a referral to the Vertrouwenscentrum with its day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.intake.contact_rules import ContactRules
from core.intake.safe_window import Channel, channel_allowed
from core.model import Intake, IntakeKind, TriageDecision
from tests.backoffice.helpers import staff_client
from tests.portal.test_feedback import CODE
from web.db import db


def _text(response) -> str:
    return " ".join("".join(response.page.itertext()).split())


def _stored(app) -> Intake:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        intake.referral  # loaded, for the checks after the session  # noqa: B018
        db.session.expunge(intake)
        return intake


def test_the_home_page_has_its_own_question_for_young_people(client):
    home = client.get("/en/")
    door = home.page.find(".//a[@href='/en/young']")
    assert door is not None and door.text == "Are you under 18?"


def test_the_door_shows_112_awel_and_1712_and_never_asks_for_the_parents(client):
    page = client.get("/en/young")
    numbers = [a.get("href") for a in page.page.iter("a") if a.get("href", "").startswith("tel:")]
    assert {"tel:112", "tel:102", "tel:1712"} <= set(numbers)
    text = _text(page).lower()
    assert "parent" not in text and "mother" not in text and "father" not in text
    assert page.page.find(".//a[@href='/exit']") is not None  # the quick exit


def test_a_young_person_who_chose_a_text_is_only_ever_texted(app, client):
    sent = client.submit(
        "/en/young",
        {
            "safe_now": "yes",
            "story": "My stepfather shouts and hits my mum.",
            "reach": "text",
            "phone": "0470 12 34 56",
            "safe_times": ["afternoon"],
            "email": "not-used@example.be",
            "age_range": "14_15",
        },
    )
    assert sent.status_code == 200 and CODE.findall(sent.get_data(as_text=True))
    intake = _stored(app)
    assert (intake.kind, intake.age_range, intake.danger_now) == (IntakeKind.YOUNG, "14_15", False)
    assert (intake.phone, intake.may_text, intake.may_call, intake.may_voicemail) == (
        "0470 12 34 56",
        True,
        False,
        False,
    )
    assert intake.phone_say_who is False and intake.email is None  # only the way chosen
    assert intake.safe_times == "afternoon"
    assert channel_allowed(intake, Channel.TEXT) and not channel_allowed(intake, Channel.CALL)


def test_through_a_trusted_adult_or_only_with_a_code(app, client):
    client.submit(
        "/en/young",
        {"reach": "trusted_adult", "trusted_adult": "Ms Peeters, my teacher at De Klimop"},
    )
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.trusted_adult == "Ms Peeters, my teacher at De Klimop"
        assert intake.phone is None and intake.email is None
        rules = ContactRules.of(intake)
        assert rules.young and rules.trusted_adult
        assert channel_allowed(intake, Channel.TRUSTED_ADULT)


def test_code_only_needs_nothing_else(app, client):
    sent = client.submit("/en/young", {"reach": "code"})
    assert CODE.findall(sent.get_data(as_text=True))
    intake = _stored(app)
    assert not (intake.phone or intake.email or intake.trusted_adult)


@pytest.mark.parametrize(
    ("reach", "field", "message"),
    [
        ("text", "phone", "Type your phone number, so we can send you a text."),
        ("call", "phone", "Type your phone number, so we can call you."),
        ("email", "email", "Type your e-mail address, so we can write to you."),
        ("trusted_adult", "trusted_adult", "Tell us who the adult is and how we can reach them."),
        ("", "reach", "Choose how we can reach you. You can also choose a code."),
    ],
)
def test_a_way_in_without_its_details_is_refused_and_the_words_stay(
    app, client, reach, field, message
):
    typed = "Nobody listens at home."
    refused = client.submit("/en/young", {"reach": reach, "story": typed})
    assert refused.status_code == 200
    error = refused.page.find(f".//*[@id='{field}-error']")
    assert error is not None and message in "".join(error.itertext())
    assert refused.page.find(".//textarea[@id='story']").text.strip() == typed
    with app.app_context():
        assert db.session.scalars(select(Intake)).all() == []


def test_not_safe_right_now_ranks_first_with_its_reasons(app, client, make_staff):
    client.submit("/en/contact", {"email": "adult@example.be"})
    client.get("/exit")
    client.submit("/en/young", {"reach": "code", "safe_now": "no"})
    team = staff_client(app, make_staff("coordinator"))
    queue = team.get("/staff/")
    rows = [" ".join("".join(tr.itertext()).split()) for tr in queue.page.iter("tr")][1:]
    assert "In danger now" in rows[0] and "A young person (under 18)" in rows[0]
    assert "A young person asks for help" in rows[0]


def test_a_young_persons_request_shows_their_rules_to_staff(app, client, make_staff):
    client.submit(
        "/en/young",
        {
            "reach": "call",
            "phone": "0470 99 88 77",
            "age_range": "12_13",
            "safe_times": ["evening"],
        },
    )
    team = staff_client(app, make_staff("coordinator"))
    intake = _stored(app)
    page = _text(team.get(f"/staff/intakes/{intake.id}"))
    assert "Under 18 (12 or 13)." in page
    assert "Do not contact their parents unless they agree." in page
    assert "Do not say who you are." in page
    request_page = f"/staff/intakes/{intake.id}"
    team.submit(f"{request_page}/claim", {}, form_page=request_page)
    attempt = team.get(request_page).page
    # The attempt form offers the ways the request holds details for.
    channels = [i.get("value") for i in attempt.iter("input") if i.get("name") == "attempt-channel"]
    assert "call" in channels and "trusted_adult" not in channels


def test_a_referral_to_the_vertrouwenscentrum_needs_its_day(app, client, make_staff, clock):
    client.submit("/en/young", {"reach": "code"})
    intake = _stored(app)
    team = staff_client(app, make_staff("coordinator"))
    page = f"/staff/intakes/{intake.id}"
    tomorrow = (clock.current + timedelta(days=2)).date().isoformat()
    future = team.submit(
        f"{page}/decision",
        {"decision-outcome": "referred_vk", "decision-referred_on": tomorrow},
        form_page=page,
    )
    assert future.status_code == 200
    assert "The day of the referral cannot be in the future." in _text(future)
    today = clock.current.date() - timedelta(days=1)
    done = team.submit(
        f"{page}/decision",
        {"decision-outcome": "referred_vk", "decision-referred_on": today.isoformat()},
        form_page=page,
    )
    assert done.status_code == 303
    with app.app_context():
        decision = db.session.scalars(select(TriageDecision)).one()
        assert (decision.outcome, decision.referred_on) == ("referred_vk", today)
        assert decision.referred_to == "Vertrouwenscentrum Kindermishandeling"
        assert db.session.get(Intake, intake.id).status == "closed"
    assert "Referred to the Vertrouwenscentrum Kindermishandeling" in _text(team.get(page))
