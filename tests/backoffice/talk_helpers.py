"""What the Talk now tests of the back office share: a clock inside the
centre's opening hours, a person's conversation started as the portal
starts one, her lines, a member who switched on, and a live stream read
once (a test client's stream answers one look, web.live)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from core.model import Conversation, Sender
from core.network.centres import default_centre
from core.talk import conversations
from tests.backoffice.helpers import staff_client
from tests.pages import form_values
from web.db import db

BRUSSELS = ZoneInfo("Europe/Brussels")
# A Tuesday, 10:00 in Mechelen (data/centre.json: Mon-Fri 09:00-17:00).
OPEN_TUESDAY = datetime(2030, 1, 8, 10, 0, tzinfo=BRUSSELS)
# The same Tuesday, 20:00: the team is not there.
CLOSED_EVENING = datetime(2030, 1, 8, 20, 0, tzinfo=BRUSSELS)


def start_conversation(app, language: str = "nl") -> int:
    """A person starts a conversation, as the portal does."""
    with app.app_context(), db.writing() as session:
        started = conversations.start(
            session, centre_id=default_centre(session).id, language=language
        )
        return started.conversation.id


def she_writes(app, conversation_id: int, text: str, client_id: str | None = None) -> int:
    with app.app_context(), db.writing() as session:
        line, _ = conversations.write(
            session,
            conversation_id,
            sender=Sender.PERSON,
            body=text,
            client_id=client_id or f"p-{text}",
        )
        return line.seq


def conversation(app, conversation_id: int) -> Conversation:
    with app.app_context():
        found = db.session.get(Conversation, conversation_id)
        db.session.expunge(found)
        return found


def token(client, page: str = "/staff/talk") -> str:
    return form_values(client.get(page).page)["csrf_token"]


def switch_on(client) -> None:
    response = client.submit(
        "/staff/talk/availability", {"available": "1"}, form_page="/staff/talk"
    )
    assert response.status_code == 303


def member(app, make_staff, role: str = "case_director", name: str = "Test Staff"):
    """(id, a signed-in client of their own)."""
    made = make_staff(role, name=name)
    return made[0], staff_client(app, made)


def events(response) -> list[dict]:
    """The events of a server-sent stream: [{"event", "id", "data"}]."""
    assert response.mimetype == "text/event-stream"
    found = []
    for block in response.get_data(as_text=True).split("\n\n"):
        event: dict = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if name == "event":
                event["event"] = value
            elif name == "id":
                event["id"] = int(value)
            elif name == "data":
                event["data"] = json.loads(value)
        if "event" in event:
            found.append(event)
    return found


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def by_id(page, element_id: str):
    return next((el for el in page.iter() if el.get("id") == element_id), None)


def transcript_texts(page) -> list[str]:
    """Each line of the transcript as read: who and when, what."""
    found = by_id(page, "transcript")
    if found is None:
        return []
    return [text_of(li) for li in found.iter("li")]
