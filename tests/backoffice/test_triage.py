"""The triage screens end to end: the queue, taking, contacting, deciding."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from core.model import AuditEvent, ContactAttempt, Intake, IntakeStatus, Message, Staff
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


def test_the_queue_filters_are_labelled_and_an_unknown_value_shows_as_all(client, signed_in):
    signed_in("coordinator")
    page = client.get("/staff/?status=bogus&municipality=x&language=nl").page
    labels = {label.get("for"): "".join(label.itertext()) for label in page.iter("label")}
    assert labels["f-status"] == "Status" and labels["f-language"] == "Language"
    selected = {
        select.get("id"): [
            o.get("value") for o in select.iter("option") if o.get("selected") is not None
        ]
        for select in page.iter("select")
    }
    assert selected["f-status"] == [""] and selected["f-municipality"] == [""]
    assert selected["f-language"] == ["nl"]
    form = next(f for f in page.iter("form") if f.get("class") == "filters")
    assert form.get("method") == "get" and "csrf_token" not in {
        i.get("name") for i in form.iter("input")
    }


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


def test_an_attempt_outside_safe_times_is_saved_flagged_and_said_at_the_top(
    app, client, signed_in, clock
):
    """A call already made outside her rules is recorded honestly: the form
    warns before, the save is never refused, and the page after it says so
    first, where staff look."""
    clock.current = MONDAY_MORNING
    intake_id = _request(
        client,
        phone="0470 11 22 33",
        phone_permissions=["call"],
        safe_days=["tue"],
        safe_times=["evening"],
    )
    signed_in("case_director")
    page = f"/staff/intakes/{intake_id}"
    before = client.get(page).page
    warning = _by_id(before, "attempt-rules")
    words = " ".join("".join(warning.itertext()).split())
    assert "Now is NOT a safe time for this person." in words
    assert "Next safe time: Dec 1, 2026" in words  # Tuesday evening, in short
    data = {"attempt-channel": "call", "attempt-outcome": "no_answer", "attempt-note": "tried"}
    saved = client.submit(f"{page}/attempts", data, form_page=page)
    assert saved.status_code == 303
    after = client.get(page).page
    main = next(el for el in after.iter("main"))
    first_notice = next(el for el in main.iter("p") if el.get("class") == "notice")
    assert "outside the rules the person gave" in "".join(first_notice.itertext())
    assert "it was outside the safe times the person gave" in "".join(first_notice.itertext())
    flags = _texts(after, "flag")
    assert flags and "outside the safe times" in flags[0]
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


def _by_id(page, element_id):
    return next(el for el in page.iter() if el.get("id") == element_id)


def _summary_links(page) -> dict[str, str]:
    summary = next(el for el in page.iter("div") if el.get("class") == "error-summary")
    return {a.get("href"): "".join(a.itertext()) for a in summary.iter("a")}


def test_a_way_the_person_did_not_allow_is_named_before_and_flagged_after(
    app, client, signed_in, clock
):
    clock.current = MONDAY_MORNING
    intake_id = _request(client, phone="0470 11 22 33", phone_permissions=["text"])
    signed_in("case_director")
    page = f"/staff/intakes/{intake_id}"
    before = client.get(page).page
    words = " ".join("".join(_by_id(before, "attempt-rules").itertext()).split())
    assert "The person did not allow: Phone call, Voicemail." in words
    data = {"attempt-channel": "call", "attempt-outcome": "no_answer", "attempt-note": "tried"}
    client.submit(f"{page}/attempts", data, form_page=page)
    after = client.get(page)
    assert "the person did not allow this way of contact" in after.get_data(as_text=True)
    assert "a way the person did not allow" in _texts(after.page, "flag")[0]
    with app.app_context():
        assert db.session.scalars(select(ContactAttempt)).one().channel_not_allowed


def test_an_attempt_without_an_outcome_keeps_what_was_typed(app, client, signed_in):
    intake_id = _request(client, phone="0470 11 22 33", phone_permissions=["text"])
    signed_in("case_director")
    page = f"/staff/intakes/{intake_id}"
    data = {"attempt-channel": "text", "attempt-note": "tried"}
    refused = client.submit(f"{page}/attempts", data, form_page=page).page
    assert _summary_links(refused) == {"#attempt-outcome": "Choose what happened."}
    assert _by_id(refused, "attempt-note").text.strip() == "tried"
    assert _by_id(refused, "attempt-channel-1").get("checked") is not None  # the text
    with app.app_context():
        assert db.session.scalars(select(ContactAttempt)).all() == []


def test_an_anonymous_question_offers_only_the_portal_reply(app, client, signed_in):
    client.submit("/en/question", {"question": "Is this violence?"})
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id).order_by(Intake.id.desc()))
    signed_in("case_director")
    page = client.get(f"/staff/intakes/{intake_id}").page
    channels = [el.get("value") for el in page.iter("input") if el.get("name") == "attempt-channel"]
    assert channels == ["portal"]
    forged = client.submit(
        f"/staff/intakes/{intake_id}/attempts",
        {"attempt-channel": "call", "attempt-outcome": "no_answer"},
        form_page=f"/staff/intakes/{intake_id}",
    )
    assert forged.status_code == 200  # the page again, with the error; nothing saved
    with app.app_context():
        assert db.session.scalars(select(ContactAttempt)).all() == []


def test_a_refused_decision_keeps_what_was_typed_and_marks_the_field(app, client, signed_in):
    intake_id = _request(client)
    signed_in("case_director")
    page = f"/staff/intakes/{intake_id}"
    refused = client.submit(
        f"{page}/decision",
        {"decision-outcome": "out_of_scope", "decision-note": "Not for us."},
        form_page=page,
    )
    assert refused.status_code == 200
    assert _summary_links(refused.page) == {
        "#decision-referred_to": "Say to which service you referred the person."
    }
    service = _by_id(refused.page, "decision-referred_to")
    assert service.get("aria-invalid") == "true"
    assert "decision-referred_to-error" in service.get("aria-describedby")
    assert _by_id(refused.page, "decision-note").text.strip() == "Not for us."
    with app.app_context():
        assert db.session.get(Intake, intake_id).status == IntakeStatus.NEW


def test_a_request_decided_meanwhile_takes_no_triage_change(app, client, make_staff):
    intake_id = _request(client)
    page = f"/staff/intakes/{intake_id}"
    director_id, _ = make_staff("case_director", name="Chris")
    coordinator = _staff_client(app, make_staff("coordinator"))
    token = form_values(coordinator.get(page).page, action=f"{page}/assign")["csrf_token"]
    coordinator.submit(f"{page}/decision", {"decision-outcome": "track_2"}, form_page=page)
    for path, data, message in (
        (
            "attempts",
            {"attempt-channel": "email", "attempt-outcome": "reached"},
            "This request is no longer open.",
        ),
        ("decision", {"decision-outcome": "track_3"}, "This request already has a decision."),
        ("assign", {"assign-staff_id": str(director_id)}, "Only an open request can be assigned."),
    ):
        response = coordinator.post(f"{page}/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 303 and response.headers["Location"] == page, path
        assert message in coordinator.get(page).get_data(as_text=True), path
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        assert (intake.outcome, intake.assigned_to_id) == ("track_2", None)
        assert db.session.scalars(select(ContactAttempt)).all() == []


def test_assigning_to_an_account_the_list_did_not_offer_is_a_bad_request(app, client, make_staff):
    intake_id = _request(client)
    page = f"/staff/intakes/{intake_id}"
    gone_id, _ = make_staff("case_director", name="Gone")
    coordinator = _staff_client(app, make_staff("coordinator"))
    token = form_values(coordinator.get(page).page, action=f"{page}/assign")["csrf_token"]
    with app.app_context(), db.writing() as session:
        session.get(Staff, gone_id).is_active = False
    for staff_id in (str(gone_id), "999999", "x"):
        response = coordinator.post(
            f"{page}/assign", data={"csrf_token": token, "assign-staff_id": staff_id}
        )
        assert response.status_code == 400, staff_id
    with app.app_context():
        assert db.session.get(Intake, intake_id).assigned_to_id is None


def test_the_triage_changes_are_in_the_audit_trail(app, client, make_staff):
    first = _request(client, phone="0470 12 34 56", phone_permissions=["call"], email="")
    intake_id = _request(client, phone="0470 12 34 56", phone_permissions=["call"], email="")
    page = f"/staff/intakes/{intake_id}"
    ann_id, _ = ann = make_staff("coordinator", name="Ann")
    team = _staff_client(app, ann)
    team.submit(f"{page}/claim", {}, form_page=page)
    team.submit(f"{page}/assign", {"assign-staff_id": ""}, form_page=page)
    reached = {"attempt-channel": "call", "attempt-outcome": "reached"}
    team.submit(f"{page}/attempts", reached, form_page=page)
    team.submit(f"{page}/links", {"other": str(first)}, form_page=page)
    team.submit(f"{page}/reply", {"body": "We will call you."}, form_page=page)
    team.submit(f"{page}/decision", {"decision-outcome": "track_2"}, form_page=page)
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.target_id, AuditEvent.detail)
            .where(AuditEvent.action.like("intake.%"), AuditEvent.action != "intake.viewed")
            .order_by(AuditEvent.id)
        ).all()
        attempt_id = db.session.scalar(select(ContactAttempt.id))
        message_id = db.session.scalar(select(Message.id))
    assert [tuple(row) for row in rows] == [
        ("intake.claimed", ann_id, intake_id, None),
        ("intake.assigned", ann_id, intake_id, "released"),
        ("intake.contact_attempt", ann_id, intake_id, f"attempt {attempt_id}"),
        ("intake.linked", ann_id, intake_id, f"intake {first}"),
        ("intake.replied", ann_id, intake_id, f"message {message_id}"),
        ("intake.decided", ann_id, intake_id, "track_2"),
    ]
