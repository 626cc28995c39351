"""The menu's Talk now count rides in the sign-in check's statement
(core.identity.staff_sessions.find_signed_in with_waiting): no statement of
its own on a page that only reads, and a count again wherever what the
check counted may have changed since (web.accounts.session_state.waiting_to_talk)."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import event

from core.model import Conversation
from tests.backoffice.talk_helpers import OPEN_TUESDAY, start_conversation, text_of
from web.accounts.session_state import _Waiting, waiting_to_talk
from web.db import db


@pytest.fixture
def open_hours(clock):
    clock.current = OPEN_TUESDAY
    return clock


def _talk_link(page) -> str:
    return text_of(next(a for a in page.iter("a") if a.get("href") == "/staff/talk"))


def _statements(app, client, path):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, seen


def test_a_page_that_reads_counts_with_the_sign_in_check(app, client, signed_in, open_hours):
    signed_in("case_director")
    start_conversation(app)
    response, seen = _statements(app, client, "/staff/account")
    assert _talk_link(response.page) == "Talk now (1 waiting)"
    counts = [s for s in seen if "count(conversations.id)" in s]
    assert len(counts) == 1 and "staff_sessions" in counts[0]


def test_the_talk_page_counts_again_after_ending_who_left(app, client, signed_in, open_hours):
    signed_in("case_director")
    start_conversation(app)
    # Her page is gone: the talk page ends the conversation (and commits)
    # after the sign-in check counted it as waiting.
    open_hours.advance(minutes=11)
    page = client.get("/staff/talk").page
    assert _talk_link(page) == "Talk now"


def test_the_ridden_count_only_while_nothing_changed(app, signed_in):
    with app.test_request_context("/staff/", method="GET"):
        db.session.connection()
        g.waiting_at_sign_in = _Waiting({7: 3}, db.session.get_transaction())
        assert waiting_to_talk(7) == 3
        assert waiting_to_talk(8) is None
        db.session.add(Conversation(centre_id=7, language="nl"))
        assert waiting_to_talk(7) is None, "something unwritten"
        db.session.rollback()
        assert waiting_to_talk(7) is None, "another transaction"
    with app.test_request_context("/staff/", method="GET"):
        db.session.connection()
        g.waiting_at_sign_in = _Waiting({7: 3}, db.session.get_transaction())
        db.session.info["fjc_flushed"] = True
        assert waiting_to_talk(7) is None, "written in this transaction"
    with app.test_request_context("/staff/", method="POST"):
        db.session.connection()
        g.waiting_at_sign_in = _Waiting({7: 3}, db.session.get_transaction())
        assert waiting_to_talk(7) is None, "a page that writes"
