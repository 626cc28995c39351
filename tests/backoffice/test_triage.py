"""The triage screens end to end: the queue, taking, contacting, deciding."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from core.model import ContactAttempt, Intake, IntakeStatus, Message
from tests.conftest import TEST_PASSWORD
from tests.pages import form_values
from web.db import db

MONDAY_MORNING = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 in Brussels


def _request(client, **data) -> int:
    client.submit("/en/contact", {"email": "p@example.be", **data})
    with client.application.app_context():
        return db.session.scalar(select(Intake.id).order_by(Intake.id.desc()))


def _staff_client(app, staff):
    staff_client = app.test_client()
    staff_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _, email = staff
    response = staff_client.submit("/staff/login", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return staff_client


def _texts(page, css_class):
    return ["".join(el.itertext()).strip() for el in page.iter() if el.get("class") == css_class]


def test_the_queue_shows_the_most_urgent_first_with_the_reason(app, client, signed_in):
    calm = _request(client, danger_now="no")
    urgent = _request(client, danger_now="yes", children_involved="yes")
    signed_in("case_director")
    page = client.get("/staff/").page
    links = [a.get("href") for a in page.iter("a") if "/staff/intakes/" in (a.get("href") or "")]
    assert links == [f"/staff/intakes/{urgent}", f"/staff/intakes/{calm}"]
    reasons = _texts(page, "reasons")
    assert "In danger now" in reasons[0] and "Children in the family" in reasons[0]


def test_the_queue_filters_keep_their_values_and_page_links(app, client, signed_in):
    _request(client)
    signed_in("coordinator")
    page = client.get("/staff/?kind=question&assigned=unassigned").page
    selected = {
        select.get("name"): [
            o.get("value") for o in select.iter("option") if o.get("selected") is not None
        ]
        for select in page.iter("select")
    }
    assert selected["kind"] == ["question"] and selected["assigned"] == ["unassigned"]
    assert "No requests match." in "".join(page.itertext())


def test_the_second_person_to_take_a_request_is_told_who_has_it(app, client, make_staff):
    intake_id = _request(client)
    ann = _staff_client(app, make_staff("case_director", name="Ann Peeters"))
    bram = _staff_client(app, make_staff("case_director", name="Bram Claes"))
    # Both have the page open, with its form; Ann is first.
    ann.submit(f"/staff/intakes/{intake_id}/claim", {}, form_page=f"/staff/intakes/{intake_id}")
    page = bram.get(f"/staff/intakes/{intake_id}")
    assert "Taken by Ann Peeters." in page.get_data(as_text=True)
    token = [el.get("value") for el in page.page.iter("input") if el.get("name") == "csrf_token"][0]
    late = bram.post(f"/staff/intakes/{intake_id}/claim", data={"csrf_token": token})
    assert late.status_code == 303
    assert "Ann Peeters already took this request." in bram.get(late.headers["Location"]).get_data(
        as_text=True
    )


def test_an_attempt_outside_safe_times_is_stopped_then_confirmed(app, client, signed_in, clock):
    clock.current = MONDAY_MORNING
    intake_id = _request(
        client,
        phone="0470 11 22 33",
        phone_permissions=["call"],
        safe_days=["tue"],
        safe_times=["evening"],
    )
    signed_in("case_director")
    intake_page = client.get(f"/staff/intakes/{intake_id}")
    assert "Now is NOT a safe time for this person." in intake_page.get_data(as_text=True)
    data = {"attempt-channel": "call", "attempt-outcome": "no_answer", "attempt-note": "tried"}
    warned = client.submit(
        f"/staff/intakes/{intake_id}/attempts", data, form_page=f"/staff/intakes/{intake_id}"
    )
    body = warned.get_data(as_text=True)
    assert "Stop. This may not be safe." in body and "Nothing was saved." in body
    with app.app_context():
        assert db.session.scalars(select(ContactAttempt)).all() == []
    confirmed = client.submit(
        f"/staff/intakes/{intake_id}/attempts",
        {**data, "attempt-confirm_unsafe": "y"},
        form_page=f"/staff/intakes/{intake_id}",
    )
    assert confirmed.status_code == 303
    with app.app_context():
        attempt = db.session.scalars(select(ContactAttempt)).one()
        assert attempt.outside_safe_time and attempt.note == "tried"
        assert db.session.get(Intake, intake_id).status == IntakeStatus.CONTACT_ATTEMPTED


def test_a_decision_needs_the_service_for_track_1_and_closes_the_request(app, client, signed_in):
    intake_id = _request(client)
    signed_in("case_director")
    form_page = f"/staff/intakes/{intake_id}"
    missing = client.submit(
        f"/staff/intakes/{intake_id}/decision", {"decision-outcome": "track_1"}, form_page=form_page
    )
    assert "Say to which service you referred the person." in missing.get_data(as_text=True)
    done = client.submit(
        f"/staff/intakes/{intake_id}/decision",
        {"decision-outcome": "track_1", "decision-referred_to": "CAW Mechelen"},
        form_page=form_page,
    )
    assert done.status_code == 303
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        assert (intake.status, intake.outcome) == (IntakeStatus.CLOSED, "track_1")
    page = client.get(form_page).get_data(as_text=True)
    assert "Track 1: advice or referral to regular services" in page
    assert "Save the decision" not in page, "a decided request offers no second decision"


def test_a_coordinator_assigns_and_a_case_director_cannot(app, client, make_staff):
    intake_id = _request(client)
    director_id, _ = target = make_staff("case_director", name="Chris")
    coordinator = _staff_client(app, make_staff("coordinator"))
    response = coordinator.submit(
        f"/staff/intakes/{intake_id}/assign",
        {"assign-staff_id": str(director_id)},
        form_page=f"/staff/intakes/{intake_id}",
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Intake, intake_id).assigned_to_id == director_id
    director = _staff_client(app, target)
    page = director.get(f"/staff/intakes/{intake_id}").get_data(as_text=True)
    assert "Taken by Chris." in page and "Assign" not in page


def test_marking_a_message_read_and_unread(app, client, signed_in):
    code_page = client.submit("/en/question", {"question": "Q"})
    code = re.findall(r"\d{4} \d{4} \d{4} \d{4}", code_page.get_data(as_text=True))[0]
    client.submit("/en/return", {"code": code})
    client.submit("/en/return/message", {"body": "New info"}, form_page="/en/return")
    signed_in("coordinator")
    with app.app_context():
        intake_id, message_id = db.session.execute(select(Message.intake_id, Message.id)).one()
        assert db.session.get(Intake, intake_id).priority == 25
    page = client.get(f"/staff/intakes/{intake_id}").page
    assert "Unread" in "".join(page.itertext())
    action = f"/staff/intakes/{intake_id}/messages/{message_id}/read"
    client.submit(action, {}, form_page=f"/staff/intakes/{intake_id}")
    with app.app_context():
        assert db.session.get(Message, message_id).read_at is not None
        assert db.session.get(Intake, intake_id).priority == 0


def test_a_match_is_shown_and_can_be_linked(app, client, signed_in):
    first = _request(client, phone="+32 470 12 34 56", phone_permissions=["text"], email="")
    second = _request(client, phone="0470 12 34 56", phone_permissions=["text"], email="")
    signed_in("case_director")
    page = client.get(f"/staff/intakes/{second}").get_data(as_text=True)
    assert f"/staff/intakes/{first}" in page and "Link these requests" in page
    linked = client.submit(
        f"/staff/intakes/{second}/links",
        {"other": str(first)},
        form_page=f"/staff/intakes/{second}",
    )
    assert linked.status_code == 303
    assert "linked" in client.get(f"/staff/intakes/{first}").get_data(as_text=True)
    token = form_values(client.get("/staff/account").page)["csrf_token"]
    refused = client.post(
        f"/staff/intakes/{second}/links", data={"csrf_token": token, "other": str(second)}
    )
    assert refused.status_code == 400
