"""/staff/talk: the switch, the waiting list, the member's and colleagues'
conversations, the page that keeps itself fresh (a reload every 10 s
without JavaScript, a live stream that says "changed" with it)."""

from __future__ import annotations

import pytest
from flask import url_for

from core.model import ConversationStatus, EndReason, Staff
from core.network.centres import default_centre
from core.talk import availability, conversations
from tests.backoffice.talk_helpers import (
    CLOSED_EVENING,
    OPEN_TUESDAY,
    by_id,
    conversation,
    events,
    member,
    she_writes,
    start_conversation,
    switch_on,
    text_of,
)
from web.db import db


@pytest.fixture
def open_hours(clock):
    """Inside the centre's opening hours."""
    clock.current = OPEN_TUESDAY
    return clock


def team_is_there(app) -> bool:
    with app.app_context():
        return availability.team_is_there(db.session, default_centre(db.session))


@pytest.mark.parametrize("role", ["admin", "network"])
def test_only_the_team_talks(client, signed_in, role):
    signed_in(role)
    assert client.get("/staff/talk").status_code == 403
    assert client.get("/staff/talk/events").status_code == 403


def test_the_switch_says_whether_the_team_is_there(app, client, signed_in, open_hours):
    signed_in("case_director")
    page = client.get("/staff/talk").page
    assert "You are not available for conversations." in text_of(by_id(page, "main"))
    assert not team_is_there(app)

    switch_on(client)
    page = client.get("/staff/talk").page
    assert "You are available for conversations." in text_of(by_id(page, "main"))
    assert "People can start a conversation now." in text_of(by_id(page, "talk-board"))
    assert team_is_there(app)

    response = client.submit(
        "/staff/talk/availability", {"available": "0"}, form_page="/staff/talk"
    )
    assert response.status_code == 303
    assert not team_is_there(app)


def test_the_switch_counts_only_while_the_page_is_open(app, client, signed_in, open_hours):
    signed_in("coordinator")
    switch_on(client)
    open_hours.advance(minutes=3)
    assert not team_is_there(app), "a closed page keeps nobody waiting"
    client.get("/staff/talk")
    assert team_is_there(app)


def test_outside_the_opening_hours_nobody_can_start(app, client, signed_in, clock):
    clock.current = CLOSED_EVENING
    signed_in("coordinator")
    switch_on(client)
    board = text_of(by_id(client.get("/staff/talk").page, "talk-board"))
    assert "The centre is closed now." in board
    assert "The team is there again from" in board
    assert not team_is_there(app)


def test_a_waiting_person_is_listed_with_her_language_and_wait(app, client, signed_in, open_hours):
    signed_in("case_director")
    conversation_id = start_conversation(app, language="fr")
    open_hours.advance(minutes=1, seconds=30)
    page = client.get("/staff/talk").page
    rows = [
        [text_of(cell) for cell in row.findall("td")]
        for row in by_id(page, "talk-board").iter("tr")
        if row.findall("td")
    ]
    assert rows == [
        [
            f"#{conversation_id}",
            "1 minute",
            "Français",
            "–",
            f"Take conversation #{conversation_id}",
        ]
    ]
    nav = next(a for a in page.iter("a") if a.get("href") == "/staff/talk")
    assert text_of(nav) == "Talk now (1 waiting)"


def test_the_interpreter_need_shows_in_the_waiting_list(app, client, signed_in, open_hours):
    signed_in("case_director")
    conversation_id = start_conversation(app, language="ar")
    response = client.submit(
        f"/staff/talk/{conversation_id}/interpreter",
        {"needed": "y"},
        form_page=f"/staff/talk/{conversation_id}",
    )
    assert response.status_code == 303
    row = next(
        row
        for row in by_id(client.get("/staff/talk").page, "talk-board").iter("tr")
        if row.findall("td")
    )
    assert [text_of(td) for td in row.findall("td")][2:4] == ["العربية", "Needed"]


def test_opening_the_page_ends_a_conversation_whose_page_is_gone(
    app, client, signed_in, open_hours
):
    signed_in("case_director")
    conversation_id = start_conversation(app)
    open_hours.advance(minutes=conversations.GONE_WHILE_WAITING.seconds // 60 + 1)
    page = client.get("/staff/talk").page
    notice = next(p for p in page.iter("p") if p.get("role") == "status")
    assert text_of(notice) == "1 conversation ended: the person's page was gone for too long."
    ended = conversation(app, conversation_id)
    assert (ended.status, ended.end_reason) == (ConversationStatus.ENDED, EndReason.LEFT)
    assert "Nobody is waiting." in text_of(by_id(page, "talk-board"))


def test_my_conversations_and_my_colleagues_are_apart(app, make_staff, open_hours):
    mine_id, mine = member(app, make_staff, name="Mona")
    _, colleague = member(app, make_staff, name="Cas")
    first, second = start_conversation(app), start_conversation(app, "en")
    assert mine.submit(f"/staff/talk/{first}/take", {}, form_page="/staff/talk").status_code == 303
    assert (
        colleague.submit(f"/staff/talk/{second}/take", {}, form_page="/staff/talk").status_code
        == 303
    )
    she_writes(app, first, "Hallo?")
    board = by_id(mine.get("/staff/talk").page, "talk-board")
    mine_list = next(s for s in board.iter("section") if s.get("aria-labelledby") == "mine-title")
    theirs = next(
        s for s in board.iter("section") if s.get("aria-labelledby") == "colleagues-title"
    )
    assert f"Conversation #{first}" in text_of(mine_list)
    assert "The person waits for your answer." in text_of(mine_list)
    assert f"Conversation #{second}, English: Cas" in text_of(theirs)


def test_without_javascript_the_list_reloads_and_with_it_the_script_listens(
    app, client, signed_in, open_hours
):
    signed_in("case_director")
    page = client.get("/staff/talk").page
    head = page.find("./head")
    refresh = [m for m in head.iter("meta") if m.get("http-equiv") == "refresh"]
    assert [m.get("content") for m in refresh] == ["10"]
    with app.test_request_context():  # the built, hashed name when `make setup` ran
        script = url_for("static", filename="js/staff_talk.js")
    assert any(s.get("src") == script for s in head.iter("script")), (
        "the script comes from a file (the CSP forbids inline script)"
    )
    assert not [s for s in page.iter("script") if (s.text or "").strip()]
    assert by_id(page, "talk-board").get("data-events") == "/staff/talk/events"


def test_the_list_stream_says_changed_only_when_the_list_changed(
    app, client, signed_in, open_hours
):
    signed_in("case_director")
    state = by_id(client.get("/staff/talk").page, "talk-board").get("data-state")
    quiet = client.get(f"/staff/talk/events?after={state}")
    assert quiet.status_code == 200
    assert events(quiet) == []

    start_conversation(app)
    news = events(client.get(f"/staff/talk/events?after={state}"))
    assert [event["event"] for event in news] == ["changed"]
    assert str(news[0]["id"]) != state
    fresh = by_id(client.get("/staff/talk").page, "talk-board").get("data-state")
    assert str(news[0]["id"]) == fresh
    # A reconnect names the last event it had: nothing new, nothing sent.
    again = client.get("/staff/talk/events", headers={"Last-Event-ID": fresh})
    assert events(again) == []


def test_the_list_stream_keeps_the_switch_fresh(app, client, signed_in, open_hours):
    staff_id = signed_in("coordinator")
    switch_on(client)
    open_hours.advance(minutes=3)
    client.get("/staff/talk/events").get_data()  # the stream runs as it is read
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        assert availability.is_available(db.session, staff, default_centre(db.session).id)
