"""What the Talk now browser tests share: a clock inside the centre's opening
hours, a member of the team who switched on, the team's side played with the
kernel (core.talk.conversations) as the staff views play it, and a request
held back on its way to the server.

The app runs in this process (tests/browser/live.py), so the autouse `clock`
fixture of tests/conftest.py is the app's clock too; it is undone after each
test, so the time set here never reaches another test."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as day_time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.model import Conversation, ConversationStatus, EndReason, Sender, Staff
from core.network.centres import default_centre
from core.talk import conversations
from core.talk.availability import set_available
from tests.conftest import TEST_PASSWORD
from web.db import db
from web.live import announce, centre_channel, conversation_channel

BRUSSELS = ZoneInfo("Europe/Brussels")
TUESDAY = 1


def open_hours_after(moment: datetime) -> datetime:
    """The next Tuesday, 10:00 in Mechelen (data/centre.json: Mon-Fri
    09:00-17:00). After the suite's own start time, never before it: a
    cookie's expiry computed from the clock then lies in the future too."""
    local = moment.astimezone(BRUSSELS)
    days = (TUESDAY - local.weekday()) % 7 or 7
    return datetime.combine(local.date() + timedelta(days=days), day_time(10, 0), BRUSSELS)


@dataclass(frozen=True)
class Member:
    id: int
    email: str


def member_on_duty(app, role: str = "case_director") -> Member:
    """A new member of the default centre's team, switched on (seen now, by
    the test's clock)."""
    from core.identity.staff import create_staff

    email = f"talk-{os.urandom(4).hex()}@fjc.example"
    with app.app_context(), db.writing() as session:
        staff = create_staff(
            session, email=email, name="Sam Talk", role=role, password=TEST_PASSWORD
        )
        set_available(session, staff, default_centre(session).id, True)
        return Member(staff.id, email)


def off_duty(app, member: Member) -> None:
    with app.app_context(), db.writing() as session:
        set_available(session, session.get(Staff, member.id), default_centre(session).id, False)


def end_open_conversations(app) -> None:
    """The browser tests share one database: no conversation of another test
    may wait in this one's list."""
    with app.app_context():
        with db.writing() as session:
            found = session.execute(
                select(Conversation.id, Conversation.centre_id).where(
                    Conversation.status != ConversationStatus.ENDED
                )
            ).all()
            for conversation_id, _ in found:
                conversations.end(session, conversation_id, EndReason.LEFT)
        for conversation_id, centre_id in found:
            announce(conversation_channel(conversation_id), centre_channel(centre_id))


def newest_conversation_id(app) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))


def conversation(app, conversation_id: int) -> Conversation:
    with app.app_context():
        found = db.session.get(Conversation, conversation_id)
        assert found is not None
        db.session.expunge(found)
        return found


def _announce(app, conversation_id: int) -> None:
    # After the commit, as the views do: both sides' streams look again.
    with app.app_context():
        centre_id = db.session.get_one(Conversation, conversation_id).centre_id
        announce(conversation_channel(conversation_id), centre_channel(centre_id))


def the_team_takes(app, conversation_id: int, member: Member) -> None:
    with app.app_context(), db.writing() as session:
        conversations.take(session, conversation_id, session.get(Staff, member.id))
    _announce(app, conversation_id)


def the_team_writes(app, conversation_id: int, member: Member, text: str) -> None:
    with app.app_context(), db.writing() as session:
        conversations.write(
            session,
            conversation_id,
            sender=Sender.STAFF,
            body=text,
            client_id=None,
            author=session.get(Staff, member.id),
        )
    _announce(app, conversation_id)


def sign_in_staff(page, app_url: str, member: Member) -> None:
    """The back office's sign-in; in the test configuration no second factor
    is required (FJC_REQUIRE_SECOND_FACTOR is for production)."""
    page.goto(f"{app_url}/staff/login")
    page.fill("#email", member.email)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(lambda url: "/staff/login" not in url)


class HeldPost:
    """Holds the first POST to `path` on its way to the server until
    `release()`: what the page shows while its message is not yet stored."""

    def __init__(self, page, app_url: str, path: str) -> None:
        self._page = page
        self._pattern = f"{app_url}{path}"
        self._route = None
        page.route(self._pattern, self._hold)

    def _hold(self, route) -> None:
        if route.request.method != "POST" or self._route is not None:
            route.continue_()
            return
        self._route = route

    def wait_until_held(self, timeout: float = 5.0) -> None:
        deadline = time.perf_counter() + timeout
        while self._route is None:
            assert time.perf_counter() < deadline, f"no POST to {self._pattern}"
            self._page.wait_for_timeout(20)  # lets Playwright run the handler

    def release(self) -> None:
        assert self._route is not None
        self._route.continue_()
        self._page.unroute(self._pattern, self._hold)
