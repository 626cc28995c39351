"""/staff/talk/<id>: take (one of two wins), write without JavaScript and
with it (stored once, "sent" only with its number), the safe phrases in the
person's language, hand over, the interpreter note, end, block; reads and
actions in the audit trail, in words."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from core.model import (
    AuditEvent,
    ConversationMessage,
    ConversationStatus,
    EndReason,
    Sender,
)
from core.talk import conversations
from tests.backoffice.talk_helpers import (
    OPEN_TUESDAY,
    by_id,
    conversation,
    events,
    member,
    she_writes,
    start_conversation,
    switch_on,
    text_of,
    token,
    transcript_texts,
)
from tests.pages import form_values
from web.db import db


@pytest.fixture
def open_hours(clock):
    """Inside the centre's opening hours."""
    clock.current = OPEN_TUESDAY
    return clock


def take(client, conversation_id: int):
    return client.submit(f"/staff/talk/{conversation_id}/take", {}, form_page="/staff/talk")


def taken_by(app, make_staff, name: str = "Mona", language: str = "nl"):
    """A member who took a new conversation: (staff id, client, conversation id)."""
    staff_id, client = member(app, make_staff, name=name)
    conversation_id = start_conversation(app, language)
    assert take(client, conversation_id).status_code == 303
    return staff_id, client, conversation_id


def send(client, conversation_id: int, body: str, *, json: bool = False, **fields):
    page = f"/staff/talk/{conversation_id}"
    values = form_values(client.get(page).page, action=f"{page}/send")
    values.update(body=body, **fields)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"{page}/send", data=values, headers=headers)


def lines(app, conversation_id: int) -> list[ConversationMessage]:
    with app.app_context():
        return conversations.lines_after(db.session, conversation_id, 0)


def actions(app, conversation_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.target_type == "conversation",
                    AuditEvent.target_id == conversation_id,
                )
                .order_by(AuditEvent.id)
            )
        )


def test_a_member_takes_a_waiting_conversation(app, make_staff, open_hours):
    staff_id, client = member(app, make_staff, name="Mona")
    conversation_id = start_conversation(app)
    response = take(client, conversation_id)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/talk/{conversation_id}#message-body"
    taken = conversation(app, conversation_id)
    assert (taken.status, taken.staff_id) == (ConversationStatus.ACTIVE, staff_id)
    page = client.get(f"/staff/talk/{conversation_id}").page
    assert transcript_texts(page)[0].endswith("You took the conversation.")
    assert by_id(page, "message-body") is not None


def test_of_two_members_taking_at_once_one_gets_it_and_the_other_is_told(
    app, make_staff, open_hours
):
    first_id, first = member(app, make_staff, name="Mona")
    _, second = member(app, make_staff, name="Cas")
    conversation_id = start_conversation(app)
    # Both see the waiting person and press "Take" at the same moment.
    values = [
        form_values(c.get("/staff/talk").page, action=f"/staff/talk/{conversation_id}/take")
        for c in (first, second)
    ]
    won = first.post(f"/staff/talk/{conversation_id}/take", data=values[0])
    lost = second.post(f"/staff/talk/{conversation_id}/take", data=values[1])
    assert won.status_code == lost.status_code == 303
    assert conversation(app, conversation_id).staff_id == first_id
    page = second.get(lost.headers["Location"]).page
    notices = [text_of(p) for p in page.iter("p") if p.get("role") == "status"]
    assert "A colleague took this conversation a moment ago." in notices
    assert "Only Mona can write in this conversation." in text_of(by_id(page, "main"))
    assert by_id(page, "message-form") is None


def test_a_member_holds_several_conversations_at_once(app, make_staff, open_hours):
    staff_id, client = member(app, make_staff)
    ids = [start_conversation(app) for _ in range(3)]
    for conversation_id in ids:
        assert take(client, conversation_id).status_code == 303
    assert {conversation(app, i).staff_id for i in ids} == {staff_id}


def test_without_javascript_a_message_comes_back_on_the_page(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    she_writes(app, conversation_id, "Ik durf niet te bellen.")
    response = send(client, conversation_id, "Je bent hier veilig om te schrijven.")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).page
    said = transcript_texts(page)
    assert said[1].startswith("The person,") and said[1].endswith("Ik durf niet te bellen.")
    assert said[2].startswith("You,") and said[2].endswith("Je bent hier veilig om te schrijven.")
    person_line = [p for p in by_id(page, "transcript").iter("p") if p.get("class") == "body"][1]
    assert person_line.get("lang") == "nl"


def test_an_empty_message_is_refused_on_its_field(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    response = send(client, conversation_id, "   ")
    assert response.status_code == 200
    summary = next(d for d in response.page.iter("div") if d.get("class") == "error-summary")
    assert "Type a message first." in text_of(summary)
    assert [line.sender for line in lines(app, conversation_id)] == [Sender.SYSTEM]


def test_with_javascript_a_message_is_stored_once_and_numbered(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    first = send(client, conversation_id, "Hallo", json=True, client_id="js-1")
    assert (first.status_code, first.get_json()) == (201, {"seq": 2})
    # The answer was lost: the script sends the same message again.
    again = send(client, conversation_id, "Hallo", json=True, client_id="js-1")
    assert (again.status_code, again.get_json()) == (200, {"seq": 2})
    assert [line.body for line in lines(app, conversation_id)] == [None, "Hallo"]
    empty = send(client, conversation_id, "", json=True, client_id="js-2")
    assert (empty.status_code, empty.get_json()) == (400, {"error": "Type a message first."})


def test_the_events_stream_carries_each_line_with_its_number(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    she_writes(app, conversation_id, "Ben je daar?")
    send(client, conversation_id, "Ja, ik ben er.", json=True, client_id="js-1")
    stream = client.get(f"/staff/talk/{conversation_id}/events")
    assert stream.status_code == 200
    found = events(stream)
    assert [(e["event"], e["id"]) for e in found] == [("line", 1), ("line", 2), ("line", 3)]
    assert [e["data"]["text"] for e in found] == [
        "You took the conversation.",
        "Ben je daar?",
        "Ja, ik ben er.",
    ]
    assert [e["data"]["who"] for e in found] == ["", "The person", "You"]
    # After a reconnect only what came after the last line it had.
    resumed = client.get(f"/staff/talk/{conversation_id}/events", headers={"Last-Event-ID": "2"})
    assert [e["id"] for e in events(resumed)] == [3]


def test_a_safe_phrase_is_stored_in_the_persons_language(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff, language="fr")
    page = client.get(f"/staff/talk/{conversation_id}").page
    buttons = [b for b in by_id(page, "phrase-form").iter("button")]
    assert [b.get("value") for b in buttons][:2] == ["safe_to_write", "danger_112"]
    values = form_values(page, action=f"/staff/talk/{conversation_id}/send")
    values.pop("body", None)
    response = client.post(
        f"/staff/talk/{conversation_id}/send", data={**values, "phrase": "danger_112"}
    )
    assert response.status_code == 303
    line = lines(app, conversation_id)[-1]
    with app.test_request_context("/fr/"), force_locale("fr"):
        french = gettext("If you are in danger now, call 112.")
    assert (line.phrase, line.body, line.sender) == ("danger_112", french, Sender.STAFF)
    # Staff read it in their own language; hers beside it when it differs.
    said = transcript_texts(client.get(f"/staff/talk/{conversation_id}").page)[-1]
    assert "If you are in danger now, call 112." in said
    if french != "If you are in danger now, call 112.":
        assert f"The person read: {french}" in said


def test_an_unknown_phrase_is_refused(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    response = send(client, conversation_id, "", json=True, phrase="call_the_police_now")
    assert response.get_json() == {"error": "Choose one of the phrases."}
    assert response.status_code == 400
    assert len(lines(app, conversation_id)) == 1


def test_only_the_member_who_holds_it_writes(app, make_staff, open_hours):
    _, _, conversation_id = taken_by(app, make_staff)
    _, colleague = member(app, make_staff, name="Cas")
    page = colleague.get(f"/staff/talk/{conversation_id}").page
    assert by_id(page, "message-form") is None, "a colleague reads, and does not write"
    values = {"csrf_token": token(colleague), "body": "Hallo", "client_id": "x"}
    refused = colleague.post(
        f"/staff/talk/{conversation_id}/send",
        data=values,
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 409
    assert refused.get_json() == {
        "error": "Only the team member who holds this conversation can do that."
    }
    assert len(lines(app, conversation_id)) == 1


def test_a_conversation_is_handed_over_to_an_available_colleague(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff, name="Mona")
    colleague_id, colleague = member(app, make_staff, name="Cas")
    page = f"/staff/talk/{conversation_id}"
    assert by_id(client.get(page).page, "hand-over-to_staff") is None, "nobody available yet"
    switch_on(colleague)
    choices = [o.get("value") for o in by_id(client.get(page).page, "hand-over-to_staff")]
    assert choices == [str(colleague_id)]
    response = client.submit(f"{page}/hand-over", {"to_staff": str(colleague_id)}, form_page=page)
    assert response.status_code == 303
    assert conversation(app, conversation_id).staff_id == colleague_id
    assert transcript_texts(client.get(page).page)[-1].endswith(
        " You handed the conversation over to Cas."
    )
    theirs = colleague.get(page).page
    assert transcript_texts(theirs)[-1].endswith(" Mona handed the conversation over to you.")
    assert by_id(theirs, "message-form") is not None


def test_a_hand_over_to_someone_not_available_is_refused(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    away_id, _ = member(app, make_staff, name="Away")
    page = f"/staff/talk/{conversation_id}"
    values = {"csrf_token": token(client, page), "to_staff": str(away_id)}
    response = client.post(f"{page}/hand-over", data=values)
    assert response.status_code == 200
    summary = next(d for d in response.page.iter("div") if d.get("class") == "error-summary")
    assert "Choose a colleague who is available now." in text_of(summary)
    assert conversation(app, conversation_id).staff_id != away_id


def test_ending_makes_a_request_that_carries_what_she_wrote(app, make_staff, open_hours):
    staff_id, client, conversation_id = taken_by(app, make_staff)
    she_writes(app, conversation_id, "Mijn vriend slaat me.")
    page = f"/staff/talk/{conversation_id}"
    interpreter = client.submit(f"{page}/interpreter", {"needed": "y"}, form_page=page)
    assert interpreter.status_code == 303
    response = client.submit(f"{page}/end", {}, form_page=page)
    assert response.status_code == 303
    ended = conversation(app, conversation_id)
    assert (ended.status, ended.end_reason) == (ConversationStatus.ENDED, EndReason.BY_STAFF)
    assert response.headers["Location"] == f"/staff/intakes/{ended.intake_id}"
    request_page = client.get(response.headers["Location"]).page
    heading = text_of(request_page.find(".//h1"))
    assert heading == f"Request #{ended.intake_id}: Conversation"
    talk = text_of(by_id(request_page, "main"))
    assert "A live conversation in the portal" in talk
    assert "An interpreter is needed." in talk
    assert "Mijn vriend slaat me." in talk
    assert "Taken by" in talk
    queue = client.get("/staff/").page
    row = next(
        tr for tr in queue.iter("tr") if f"/staff/intakes/{ended.intake_id}" in text_of_links(tr)
    )
    assert "Conversation" in [text_of(td) for td in row.findall("td")]
    # The conversation page says how it ended and leads to the request.
    assert f"It is request #{ended.intake_id} now." in text_of(client.get(page).page)


def text_of_links(element) -> str:
    return " ".join(a.get("href") or "" for a in element.iter("a"))


def test_block_ends_it_and_needs_a_tick(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    page = f"/staff/talk/{conversation_id}"
    unticked = client.submit(f"{page}/block", {}, form_page=page)
    assert unticked.status_code == 200
    assert "Tick the box to block." in text_of(unticked.page)
    assert conversation(app, conversation_id).status == ConversationStatus.ACTIVE
    response = client.submit(f"{page}/block", {"confirm": "y"}, form_page=page)
    assert response.status_code == 303
    blocked = conversation(app, conversation_id)
    assert (blocked.status, blocked.end_reason) == (ConversationStatus.ENDED, EndReason.BLOCKED)
    assert "talk.blocked" in actions(app, conversation_id)


def test_the_quick_exit_is_a_warning_on_the_page(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    with app.app_context(), db.writing() as session:
        conversations.end(session, conversation_id, EndReason.QUICK_EXIT)
    page = client.get(f"/staff/talk/{conversation_id}").page
    warnings = [el for el in page.iter() if "danger-box" in (el.get("class") or "")]
    assert warnings
    assert "The person used the quick exit. They may not be safe now." in text_of(warnings[0])
    stream = events(client.get(f"/staff/talk/{conversation_id}/events"))
    assert stream[-1]["event"] == "end"
    assert stream[-2]["data"]["warning"] is True


def test_reads_and_actions_are_in_the_audit_trail_in_words(app, make_staff, open_hours):
    _, client, conversation_id = taken_by(app, make_staff)
    she_writes(app, conversation_id, "Hallo")
    send(client, conversation_id, "Dag, ik ben er.")
    client.get(f"/staff/talk/{conversation_id}/events").get_data()
    page = f"/staff/talk/{conversation_id}"
    client.submit(f"{page}/end", {}, form_page=page)
    recorded = actions(app, conversation_id)
    for action in ("talk.taken", "talk.viewed", "talk.wrote", "talk.ended"):
        assert action in recorded, action

    coordinator_id, coordinator = member(app, make_staff, role="coordinator")
    audit_page = coordinator.get("/staff/admin/audit").page
    rows = [
        [text_of(td) for td in tr.findall("td")] for tr in audit_page.iter("tr") if tr.findall("td")
    ]
    about = [row for row in rows if f"Conversation {conversation_id}" in row]
    said = {row[3] for row in about}
    assert {"Conversation taken", "Conversation read", "Wrote in a conversation"} <= said
    assert "Conversation ended" in said
    assert any(row[3] == "Conversation read" and row[5] == "Line 2" for row in about)
    assert any(row[3] == "Wrote in a conversation" and row[5] == "Line 3" for row in about)
