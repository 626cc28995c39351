"""Talk now, the person's side, over HTTP: is it safe to write, the waiting
list, writing with and without JavaScript, the live stream, the end with her
code and the mailbox, the quick exit, and what she leaves when nobody is
there. The team's side is played with the kernel (core.talk.conversations)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from sqlalchemy import event, func, select

from core.infra.config import DEFAULT_LANGUAGES
from core.infra.db import BEGIN_IMMEDIATE_OPTION
from core.model import (
    Conversation,
    ConversationKind,
    ConversationMessage,
    ConversationStatus,
    EndReason,
    Intake,
    IntakeKind,
    Sender,
    Staff,
)
from core.network.centres import default_centre
from core.talk import conversations
from core.talk.availability import set_available
from tests.pages import form_values
from web.db import db
from web.i18n import RTL_LANGUAGES

BRUSSELS = ZoneInfo("Europe/Brussels")
# Tuesday 8 January 2030: Mechelen's team is there 09:00-17:00 (data/centre.json).
OPEN = datetime(2030, 1, 8, 10, 0, tzinfo=BRUSSELS)
EVENING = datetime(2030, 1, 8, 20, 0, tzinfo=BRUSSELS)
CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
JSON = {"Accept": "application/json"}
# Her page's sign of life is written at most this often (portal/views/talk.py).
BEAT_SECONDS = 20


@pytest.fixture
def team(app, clock, make_staff):
    """Opening hours, and one member available with their talk page open."""
    clock.current = OPEN
    staff_id, _ = make_staff("case_director")
    with app.app_context(), db.writing() as session:
        set_available(session, session.get(Staff, staff_id), default_centre(session).id, True)
    return staff_id


def _start(client, lang: str = "en"):
    response = client.submit(f"/{lang}/talk/start", {"safe_now": "yes"}, form_page=f"/{lang}/talk")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/{lang}/talk"
    return client.get(f"/{lang}/talk")


def _csrf(page, action: str = "/en/talk/send") -> str:
    return form_values(page.page, action=action)["csrf_token"]


def _send_json(client, page, body: str, client_id: str):
    return client.post(
        "/en/talk/send",
        data={"csrf_token": _csrf(page), "body": body, "client_id": client_id},
        headers={"X-CSRFToken": _csrf(page), **JSON},
    )


def _events(client, last_event_id: int | None = None) -> list[dict]:
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    response = client.get("/en/talk/events", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    found = []
    for block in response.get_data(as_text=True).split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            found.append(
                {
                    "event": fields["event"],
                    "id": int(fields["id"]) if "id" in fields else None,
                    "data": json.loads(fields["data"]),
                }
            )
    return found


def _conversation(app) -> Conversation:
    with app.app_context():
        return db.session.scalars(select(Conversation).order_by(Conversation.id.desc())).first()


def _as_staff(app, staff_id: int, *, take: bool = False, write: str | None = None):
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        newest = select(Conversation).order_by(Conversation.id.desc())
        conversation = session.scalars(newest).first()
        if take:
            conversations.take(session, conversation.id, staff)
        if write:
            conversations.write(
                session,
                conversation.id,
                sender=Sender.STAFF,
                body=write,
                client_id=None,
                author=staff,
            )


def _texts(page, css_class: str) -> list[str]:
    return [
        " ".join("".join(li.find("./p[@class='body']").itertext()).split())
        for li in page.iter("li")
        if li.get("class") == css_class
    ]


def _refreshes_without_script(page) -> bool:
    """<noscript><meta http-equiv="refresh" content="5"></noscript> in the head."""
    for noscript in page.find("./head").iter("noscript"):
        metas = [(m.get("http-equiv"), m.get("content")) for m in noscript.iter("meta")]
        raw = "".join(noscript.itertext())
        if ("refresh", "5") in metas or ('http-equiv="refresh"' in raw and 'content="5"' in raw):
            return True
    return False


def _by_id(page, element_id: str):
    return next((el for el in page.iter() if el.get("id") == element_id), None)


def test_the_page_first_asks_if_it_is_safe_to_write_and_what_the_quick_exit_does(team, client):
    page = client.get("/en/talk")
    assert page.status_code == 200
    text = " ".join("".join(page.page.find(".//main").itertext()).split())
    assert "ends the conversation on this device" in text
    form = _by_id(page.page, "talk-start")
    first = next(el for el in form.iter() if el.get("name") not in (None, "csrf_token"))
    assert first.get("name") == "safe_now"
    legend = form.find(".//fieldset/legend")
    assert legend.text == "Is it safe for you to write now?"
    assert form.get("autocomplete") == "off"


def test_it_is_not_safe_now_starts_nothing_and_says_what_she_can_do(team, client, app):
    response = client.submit("/en/talk/start", {"safe_now": "no"}, form_page="/en/talk")
    assert response.status_code == 303
    page = client.get("/en/talk")
    notices = [p.text for p in page.page.iter("p") if p.get("class") == "notice"]
    assert notices and notices[0].startswith("Then please do not write now.")
    assert _conversation(app) is None


def test_no_answer_to_the_safety_question_is_asked_again(team, client, app):
    page = client.submit("/en/talk/start", {}, form_page="/en/talk")
    assert page.status_code == 200
    errors = [p for p in page.page.iter("p") if p.get("class") == "error-message"]
    assert errors and "safe" in "".join(errors[0].itertext())
    assert _conversation(app) is None


def test_starting_puts_her_first_in_line_with_a_wait_on_a_page_that_refreshes(team, client, app):
    page = _start(client)
    status = _by_id(page.page, "talk-status")
    assert status.get("data-state") == "waiting"
    assert status.get("data-position") == "1"
    assert int(status.get("data-minutes")) >= 1
    assert "You are number 1 in line." in status.text
    # Without JavaScript: refresh every 5 s, and no box (a refresh wipes typing).
    assert _refreshes_without_script(page.page)
    assert _by_id(page.page, "talk-form").get("hidden") is not None
    assert _by_id(page.page, "talk-check") is None
    scripts = [s.get("src") for s in page.page.iter("script")]
    with app.test_request_context():  # the built, hashed name when `make setup` ran
        assert url_for("static", filename="js/talk.js") in scripts
    conversation = _conversation(app)
    assert conversation.status == ConversationStatus.WAITING
    with client.session_transaction() as session:
        assert "talk" in session
        stored = repr(dict(session))
    assert not CODE.search(stored), "the code waits encrypted"


def test_a_second_start_opens_the_same_conversation(team, client, app):
    _start(client)
    again = client.post(
        "/en/talk/start", data={"csrf_token": _csrf(client.get("/en/talk"), "/en/talk/end")}
    )
    assert again.status_code in (303, 200)
    with app.app_context():
        assert db.session.scalar(select(func.count(Conversation.id))) == 1


def test_she_writes_without_and_with_javascript_and_a_resend_is_stored_once(team, client, app):
    page = _start(client)
    _as_staff(app, team, take=True)
    page = client.get("/en/talk")
    assert _by_id(page.page, "talk-form").get("hidden") is None
    sent = client.submit("/en/talk/send", {"body": "Hello, without script."}, form_page="/en/talk")
    assert sent.status_code == 303
    assert sent.headers["Location"].startswith("/en/talk")
    page = client.get("/en/talk")
    first = _send_json(client, page, "And with script.", "c-1")
    assert first.status_code == 201
    assert first.get_json()["seq"] == 3  # 1 taken, 2 her first line
    again = _send_json(client, page, "And with script.", "c-1")
    assert again.status_code == 200
    assert again.get_json()["seq"] == 3
    with app.app_context():
        bodies = db.session.scalars(
            select(ConversationMessage.body)
            .where(ConversationMessage.sender == Sender.PERSON)
            .order_by(ConversationMessage.seq)
        ).all()
    assert bodies == ["Hello, without script.", "And with script."]
    page = client.get("/en/talk")
    assert _texts(page.page, "from-you") == ["Hello, without script.", "And with script."]


def test_an_empty_message_is_refused_in_json_and_on_the_page(team, client, app):
    page = _start(client)
    refused = _send_json(client, page, "   ", "c-0")
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "Type your message first."
    _as_staff(app, team, take=True)
    again = client.submit("/en/talk/send", {"body": ""}, form_page="/en/talk")
    assert again.status_code == 200  # the page, sent back with its problem
    assert _by_id(again.page, "talk-body-error") is not None


def test_the_stream_sends_her_lines_with_their_number_and_resumes_without_doubles(team, client):
    page = _start(client)
    _send_json(client, page, "First", "a")
    _send_json(client, page, "Second", "b")
    events = _events(client)
    lines = [e for e in events if e["event"] == "line"]
    assert [(e["id"], e["data"]["seq"], e["data"]["text"]) for e in lines] == [
        (1, 1, "First"),
        (2, 2, "Second"),
    ]
    assert all(e["data"]["sender"] == "person" for e in lines)
    status = [e for e in events if e["event"] == "status"]
    assert status and status[0]["data"]["state"] == "waiting"
    assert status[0]["data"]["position"] == 1
    resumed = [e for e in _events(client, last_event_id=1) if e["event"] == "line"]
    assert [e["id"] for e in resumed] == [2]
    assert [e for e in _events(client, last_event_id=2) if e["event"] == "line"] == []


def test_the_stream_tells_her_page_when_the_team_ends_it(team, client, app):
    _start(client)
    _as_staff(app, team, take=True, write="Take care.")
    with app.app_context(), db.writing() as session:
        conversations.end(
            session,
            _conversation(app).id,
            EndReason.BY_STAFF,
            staff=session.get(Staff, team),
        )
    kinds = [e["event"] for e in _events(client)]
    assert kinds[-1] == "end"
    assert "line" in kinds


def test_a_staff_reply_shows_on_her_page_escaped_with_a_button_to_look_again(team, client, app):
    _start(client)
    _as_staff(app, team, take=True, write="<b>Hello</b>, I am here.")
    page = client.get("/en/talk")
    assert _texts(page.page, "from-team") == ["<b>Hello</b>, I am here."]
    assert page.page.find(".//li[@class='from-team']//b") is None, "text, never markup"
    team_meta = page.page.find(".//li[@class='from-team']/p[@class='meta']")
    assert team_meta.text.startswith("The team")
    assert _by_id(page.page, "talk-status").get("data-state") == "active"
    check = _by_id(page.page, "talk-check")
    assert check.get("method") == "get" and check.get("action") == "/en/talk"
    assert not _refreshes_without_script(page.page), "no refresh while she may type"
    log = _by_id(page.page, "talk-log")
    assert (log.get("role"), log.get("aria-live")) == ("log", "polite")


def test_the_end_shows_her_code_once_and_keeping_it_opens_it_in_the_mailbox(team, client, app):
    page = _start(client)
    _send_json(client, page, "I need help.", "x1")
    _as_staff(app, team, take=True, write="We are here for you.")
    page = client.get("/en/talk")
    ended = client.post("/en/talk/end", data={"csrf_token": _csrf(page, "/en/talk/end")})
    assert ended.status_code == 303
    page = client.get("/en/talk")
    codes = CODE.findall(page.get_data(as_text=True))
    assert len(codes) == 1
    code = codes[0]
    assert "You ended the conversation." in page.get_data(as_text=True)
    again = client.get("/en/talk")
    assert CODE.findall(again.get_data(as_text=True)) == [], "shown once"
    assert _by_id(again.page, "talk-keep") is not None
    kept = client.submit("/en/talk/keep", {"keep": "yes"}, form_page="/en/talk")
    assert kept.status_code == 303
    after = client.get("/en/talk")
    assert _by_id(after.page, "talk-log") is None
    with app.app_context():
        conversation = db.session.scalars(select(Conversation)).one()
        assert conversation.in_mailbox is True
        assert conversation.token_key is None, "the cookie opens nothing more"
        intake = db.session.get(Intake, conversation.intake_id)
        assert intake.kind == IntakeKind.CONVERSATION
    assert client.submit("/en/return", {"code": code}).status_code == 303
    mailbox = client.get("/en/return")
    section = mailbox.page.find(".//section[@class='talk-transcript']")
    assert section is not None
    said = [
        (
            li.find("./p[@class='meta']").text.split(" · ")[0],
            li.find("./p[@class='body']").text,
        )
        for li in section.iter("li")
        if li.get("class") in ("from-you", "from-team")
    ]
    assert said == [("You", "I need help."), ("The team", "We are here for you.")]
    assert section.find(".//form") is None, "read-only"


def test_a_conversation_not_kept_is_not_in_the_mailbox(team, client, app):
    page = _start(client)
    _send_json(client, page, "Hello", "x1")
    client.post("/en/talk/end", data={"csrf_token": _csrf(page, "/en/talk/end")})
    code = CODE.findall(client.get("/en/talk").get_data(as_text=True))[0]
    client.submit("/en/talk/keep", {"keep": "no"}, form_page="/en/talk")
    client.submit("/en/return", {"code": code})
    mailbox = client.get("/en/return")
    assert mailbox.page.find(".//section[@class='talk-transcript']") is None


def test_an_end_before_she_wrote_keeps_nothing(team, client, app):
    page = _start(client)
    client.post("/en/talk/end", data={"csrf_token": _csrf(page, "/en/talk/end")})
    page = client.get("/en/talk")
    assert "nothing was kept" in page.get_data(as_text=True)
    assert CODE.findall(page.get_data(as_text=True)) == []
    assert _conversation(app).intake_id is None


def test_the_quick_exit_ends_the_conversation_on_the_server(team, client, app):
    page = _start(client)
    _send_json(client, page, "Someone is coming.", "q1")
    left = client.get("/exit")
    assert left.status_code == 303
    conversation = _conversation(app)
    assert conversation.status == ConversationStatus.ENDED
    assert conversation.end_reason == EndReason.QUICK_EXIT
    assert conversation.token_key is None
    after = client.get("/en/talk")
    assert _by_id(after.page, "talk-log") is None
    assert "Someone is coming." not in after.get_data(as_text=True)
    assert _by_id(after.page, "talk-start") is not None


def test_a_stale_waiting_page_is_ended_as_left_when_a_waiting_page_beats(team, client, app, clock):
    _start(client)
    first = _conversation(app).id
    clock.advance(minutes=11)
    _team_still_there(app, team)
    app.test_client().get("/en/talk")
    assert _conversation(app).status == ConversationStatus.WAITING, "a mere visitor sweeps nothing"
    other = app.test_client()
    _start(other)
    clock.advance(seconds=BEAT_SECONDS + 1)
    other.get("/en/talk")
    with app.app_context():
        assert db.session.get(Conversation, first).end_reason == EndReason.LEFT


def test_a_blocked_conversation_keeps_this_browser_out_for_a_day(team, client, app, clock):
    page = _start(client)
    _send_json(client, page, "abuse", "b1")
    _as_staff(app, team, take=True)
    with app.app_context(), db.writing() as session:
        conversations.end(
            session,
            _conversation(app).id,
            EndReason.BLOCKED,
            staff=session.get(Staff, team),
        )
    page = client.get("/en/talk")
    text = page.get_data(as_text=True)
    assert "The team ended this conversation." in text
    assert "for 24 hours" in text
    assert CODE.findall(text) == [], "no code, no mailbox"
    again = client.get("/en/talk")
    assert _by_id(again.page, "talk-start") is None
    assert "cannot start a new conversation until" in again.get_data(as_text=True)
    # A start posted anyway (an old page) starts nothing.
    csrf = _csrf(client.get("/en/question"), "/en/question")
    refused = client.post("/en/talk/start", data={"safe_now": "yes", "csrf_token": csrf})
    assert refused.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Conversation.id))) == 1
    clock.advance(hours=24, minutes=1)
    with app.app_context(), db.writing() as session:
        set_available(session, session.get(Staff, team), default_centre(session).id, True)
    assert _by_id(client.get("/en/talk").page, "talk-start") is not None


def test_sending_too_fast_in_one_conversation_gets_a_json_429(team, client):
    page = _start(client)
    statuses = [_send_json(client, page, f"line {n}", f"r{n}").status_code for n in range(21)]
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 429
    refused = _send_json(client, page, "one more", "r-last")
    assert refused.status_code == 429
    assert refused.get_json()["error"].startswith("You sent many messages")


def test_without_javascript_a_refused_send_keeps_what_she_typed(team, client, app):
    _start(client)
    _as_staff(app, team, take=True)
    page = client.get("/en/talk")
    for n in range(20):
        _send_json(client, page, f"line {n}", f"r{n}")
    values = form_values(page.page, action="/en/talk/send")
    refused = client.post("/en/talk/send", data={**values, "body": "Please answer me."})
    assert refused.status_code == 429
    assert refused.page.find(".//textarea[@id='talk-body']").text == "Please answer me."


# --- nobody there ---------------------------------------------------------


def test_outside_the_hours_the_page_says_when_the_team_is_back_and_offers_two_ways(client, clock):
    clock.current = EVENING
    page = client.get("/en/talk")
    text = " ".join("".join(page.page.find(".//main").itertext()).split())
    assert "The team is there again on Wednesday, January 9, 2030 at 9:00" in text
    links = {a.get("href") for a in page.page.iter("a")}
    assert {"/en/talk/message", "/en/talk/call-back"} <= links
    assert _by_id(page.page, "talk-start") is None


def test_in_the_hours_with_nobody_available_the_team_is_busy(client, clock):
    clock.current = OPEN
    page = client.get("/en/talk")
    assert "Everyone in the team is busy" in page.get_data(as_text=True)
    assert _by_id(page.page, "talk-start") is None


def test_a_message_left_becomes_a_request_with_a_code(client, clock, app):
    clock.current = EVENING
    sent = client.submit("/en/talk/message", {"message": "Please write back."})
    assert sent.status_code == 200
    assert len(CODE.findall(sent.get_data(as_text=True))) == 1
    assert "reads your message within one working day" in sent.get_data(as_text=True)
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.kind == IntakeKind.CONVERSATION
        assert intake.story == "Please write back."
        assert intake.callback_at is None
        row = conversations.conversation_of(db.session, intake)
        assert row.kind == ConversationKind.MESSAGE


def test_an_empty_message_keeps_the_form(client, clock):
    clock.current = EVENING
    page = client.submit("/en/talk/message", {"message": " "})
    assert page.status_code == 200
    assert any(p.get("class") == "error-message" for p in page.page.iter("p"))


def test_a_double_tapped_message_is_one_request(client, clock, app):
    clock.current = EVENING
    form = client.get("/en/talk/message")
    values = form_values(form.page, action="/en/talk/message")
    values["message"] = "Once."
    client.post("/en/talk/message", data=values, follow_sent=False)
    client.post("/en/talk/message", data=values)
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 1


def _slots(page) -> list[tuple[str, str, str]]:
    select_ = page.page.find(".//select[@name='slot']")
    return [
        (option.get("value"), option.text, group.get("label"))
        for group in select_.iter("optgroup")
        for option in group.iter("option")
    ]


def test_a_call_back_is_booked_in_a_slot_shown_in_the_centres_time(client, clock, app):
    clock.current = EVENING
    page = client.get("/en/talk/call-back")
    slots = _slots(page)
    value, time, day = slots[0]
    assert (time, day) == ("9:00\u202fAM", "Wednesday, January 9, 2030")
    sent = client.submit(
        "/en/talk/call-back",
        {
            "phone": "0470/12.34.56",
            "slot": value,
            "may_voicemail": "y",
            "safe_word": "blue",
            "message": "After nine.",
        },
    )
    assert sent.status_code == 200
    text = sent.get_data(as_text=True)
    assert len(CODE.findall(text)) == 1
    assert "calls you on Wednesday, January 9, 2030 at 9:00" in " ".join(text.split())
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.callback_at == datetime(2030, 1, 9, 9, 0, tzinfo=BRUSSELS)
        assert intake.phone == "0470 12 34 56"
        assert (intake.may_call, intake.may_voicemail, intake.phone_say_who) == (True, True, False)
        assert intake.safe_word == "blue"


def test_a_slot_not_offered_is_refused_and_keeps_the_phone_typed(client, clock, app):
    clock.current = EVENING
    page = client.submit(
        "/en/talk/call-back", {"phone": "0470 12 34 56", "slot": "2030-01-08T03:00:00+00:00"}
    )
    assert page.status_code == 200
    assert page.page.find(".//input[@name='phone']").get("value") == "0470 12 34 56"
    assert _by_id(page.page, "slot-error") is not None
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 0


def test_a_call_back_needs_a_phone_number_we_can_call(client, clock):
    clock.current = EVENING
    page = client.get("/en/talk/call-back")
    value = _slots(page)[0][0]
    refused = client.submit("/en/talk/call-back", {"phone": "12", "slot": value})
    assert _by_id(refused.page, "phone-error") is not None
    assert refused.page.find(".//input[@name='phone']").get("value") == "12"


# --- every language -------------------------------------------------------


def _rendered(response, language: str) -> None:
    assert response.status_code == 200
    assert response.page.get("lang") == language
    assert response.page.get("dir") == ("rtl" if language in RTL_LANGUAGES else "ltr")


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_every_talk_page_renders_in_every_portal_language(team, app, client, clock, language):
    url = f"/{language}/talk"
    _rendered(client.get(url), language)
    _rendered(_start(client, language), language)
    _as_staff(app, team, take=True, write="Hallo")
    _rendered(client.get(url), language)
    page = client.get(url)
    values = form_values(page.page, f"{url}/send")
    client.post(f"{url}/send", data=values | {"body": "x"})
    client.post(f"{url}/end", data={"csrf_token": _csrf(page, f"{url}/end")})
    _rendered(client.get(url), language)
    clock.current = EVENING
    _rendered(client.get(url), language)
    _rendered(client.get(f"{url}/message"), language)
    call_back = client.get(f"{url}/call-back")
    _rendered(call_back, language)
    sent = client.submit(
        f"{url}/call-back", {"phone": "0470 12 34 56", "slot": _slots(call_back)[0][0]}
    )
    _rendered(sent, language)


def test_a_message_sent_to_an_ended_conversation_is_refused_in_json(team, client):
    page = _start(client)
    client.post("/en/talk/end", data={"csrf_token": _csrf(page, "/en/talk/end")})
    refused = _send_json(client, page, "Still there?", "late")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "This conversation has ended."


# --- whoever holds the device after the end --------------------------------


def _team_still_there(app, staff_id: int) -> None:
    """The member's talk page looked again (their availability stays fresh)."""
    with app.app_context(), db.writing() as session:
        set_available(session, session.get(Staff, staff_id), default_centre(session).id, True)


def _notices(page) -> list[str]:
    return [
        " ".join("".join(p.itertext()).split())
        for p in page.iter("p")
        if p.get("class") == "notice"
    ]


def test_the_page_after_the_end_shows_her_code_but_not_what_was_said(team, client, app):
    page = _start(client)
    _send_json(client, page, "He comes home at six.", "x1")
    _as_staff(app, team, take=True, write="We are here for you.")
    client.post("/en/talk/end", data={"csrf_token": _csrf(page, "/en/talk/end")})
    ended = client.get("/en/talk")
    text = ended.get_data(as_text=True)
    assert len(CODE.findall(text)) == 1
    assert "He comes home at six." not in text
    assert "We are here for you." not in text
    assert not [li for li in ended.page.iter("li") if li.get("data-seq")]
    assert _by_id(ended.page, "talk-code") is None, "she ended it: her code at once"
    assert _by_id(ended.page, "talk-keep") is not None


def _end_without_her(app, team, reason: EndReason, clock) -> None:
    if reason == EndReason.LEFT:
        # Her page is gone for longer than a talking page may be quiet; the
        # next load of her page (someone else, on her phone) ends it.
        clock.advance(minutes=16)
        return
    with app.app_context(), db.writing() as session:
        conversations.end(session, _conversation(app).id, reason, staff=session.get(Staff, team))


@pytest.mark.parametrize("reason", [EndReason.LEFT, EndReason.BY_STAFF])
def test_after_an_end_she_did_not_make_her_code_waits_for_a_press(team, client, app, clock, reason):
    page = _start(client)
    _as_staff(app, team, take=True)
    page = client.get("/en/talk")
    assert _send_json(client, page, "He comes home at six.", "v1").status_code == 201
    _end_without_her(app, team, reason, clock)
    ended = client.get("/en/talk")
    text = ended.get_data(as_text=True)
    assert _conversation(app).end_reason == reason
    assert CODE.findall(text) == [], "not for whoever picks up the phone"
    assert "He comes home at six." not in text
    assert _by_id(ended.page, "talk-keep") is None
    show = _by_id(ended.page, "talk-code")
    assert show.get("action") == "/en/talk/code"
    assert "Show my return code" in "".join(show.itertext())
    ended_at = _conversation(app).ended_at.astimezone(BRUSSELS)
    until = ended_at + timedelta(minutes=10)  # a morning: 12 h and 24 h agree
    assert f"until {until.hour}:{until.minute:02d}" in " ".join("".join(show.itertext()).split())
    kept_early = client.post(
        "/en/talk/keep", data={"csrf_token": _csrf(ended, "/en/talk/code"), "keep": "yes"}
    )
    assert kept_early.status_code == 303
    assert _conversation(app).in_mailbox is False, "not before she has her code"
    pressed = client.submit("/en/talk/code", {}, form_page="/en/talk")
    assert pressed.status_code == 303
    shown = client.get("/en/talk")
    assert len(CODE.findall(shown.get_data(as_text=True))) == 1
    assert _by_id(shown.page, "talk-keep") is not None, "now the mailbox choice makes sense"
    again = client.get("/en/talk")
    assert CODE.findall(again.get_data(as_text=True)) == [], "shown once"
    assert _by_id(again.page, "talk-code") is None


def test_ten_minutes_after_the_end_her_code_is_no_longer_shown(team, client, app, clock):
    page = _start(client)
    _as_staff(app, team, take=True)
    page = client.get("/en/talk")
    _send_json(client, page, "He comes home at six.", "v1")
    _end_without_her(app, team, EndReason.BY_STAFF, clock)
    ended = client.get("/en/talk")
    values = form_values(ended.page, action="/en/talk/code")
    clock.advance(minutes=11)
    _team_still_there(app, team)
    late = client.post("/en/talk/code", data=values)
    assert late.status_code == 303
    later = client.get("/en/talk")
    assert CODE.findall(later.get_data(as_text=True)) == []
    assert _by_id(later.page, "talk-start") is not None
    assert _notices(later.page) == [], "not a word about an earlier conversation"
    assert _conversation(app).token_key is None, "the cookie opens nothing more"


def test_the_page_after_the_end_is_forgotten_after_ten_minutes_without_a_word(
    team, client, app, clock
):
    page = _start(client)
    _send_json(client, page, "Hello there", "x1")
    client.post("/en/talk/end", data={"csrf_token": _csrf(page, "/en/talk/end")})
    clock.advance(minutes=11)
    _team_still_there(app, team)
    later = client.get("/en/talk")
    text = later.get_data(as_text=True)
    assert CODE.findall(text) == []
    assert "Hello there" not in text
    assert _notices(later.page) == []
    assert "conversation" not in " ".join(_notices(later.page)).lower()
    assert _by_id(later.page, "talk-start") is not None
    assert _conversation(app).token_key is None


# --- rate limits that a shared address cannot turn against her ------------


def test_other_conversations_from_her_address_do_not_stop_her_messages(team, client, app):
    page = _start(client)
    _as_staff(app, team, take=True)
    page = client.get("/en/talk")
    for n in range(2):
        other = app.test_client()
        theirs = _start(other)
        assert {_send_json(other, theirs, "x", f"{n}-{i}").status_code for i in range(15)} == {201}
    assert _send_json(client, page, "Help me.", "v1").status_code == 201


def test_only_a_conversation_started_counts_against_her_address(team, client, app):
    for _ in range(12):
        not_now = client.submit("/en/talk/start", {"safe_now": "no"}, form_page="/en/talk")
        assert not_now.status_code == 303
    _start(client)
    assert _conversation(app) is not None


def test_too_many_starts_from_one_address_show_the_two_other_ways(team, app):
    for _ in range(10):
        _start(app.test_client())
    late = app.test_client()
    refused = late.submit("/en/talk/start", {"safe_now": "yes"}, form_page="/en/talk")
    assert refused.status_code == 429
    text = " ".join("".join(refused.page.find(".//main").itertext()).split())
    assert "Nobody of the team can talk with you now" in text
    links = {a.get("href") for a in refused.page.iter("a")}
    assert {"/en/talk/message", "/en/talk/call-back"} <= links
    assert _by_id(refused.page, "talk-start") is None


# --- the page reads; it writes only what changed --------------------------


@contextmanager
def _writes(app) -> Iterator[list[str]]:
    """Write transactions begun and rows changed while the block runs."""
    with app.app_context():
        engine = db.get_engine()
    seen: list[str] = []

    def begun(connection):
        if connection.get_execution_options().get(BEGIN_IMMEDIATE_OPTION):
            seen.append("write transaction")

    def executed(_connection, _cursor, statement, *_args):
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(" ".join(statement.split()[:3]))

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", begun)
        event.remove(engine, "before_cursor_execute", executed)


def test_a_look_at_the_page_without_a_conversation_writes_nothing(team, client, app, clock):
    with _writes(app) as writes:
        assert _by_id(client.get("/en/talk").page, "talk-start") is not None
        clock.current = EVENING
        assert _by_id(client.get("/en/talk").page, "talk-start") is None
    assert writes == []


def test_her_page_notes_a_sign_of_life_only_every_twenty_seconds(team, client, app, clock):
    _start(client)
    started = _conversation(app).person_seen_at
    clock.advance(seconds=BEAT_SECONDS - 5)
    with _writes(app) as writes:
        client.get("/en/talk")
        _events(client)
    assert writes == []
    assert _conversation(app).person_seen_at == started
    clock.advance(seconds=10)
    with _writes(app) as writes:
        client.get("/en/talk")
    assert writes
    assert _conversation(app).person_seen_at == started + timedelta(seconds=BEAT_SECONDS + 5)
