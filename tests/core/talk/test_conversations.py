"""A conversation's lines: stored once, numbered in order, and what it leaves
behind when it ends (a request of kind "conversation" when she wrote)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.identity.staff import create_staff
from core.model import ConversationStatus, EndReason, Intake, IntakeKind, Sender
from core.network.centres import default_centre
from core.rules import RuleError
from core.talk import conversations
from tests.conftest import TEST_PASSWORD
from web.db import db


@pytest.fixture
def member(app):
    with app.app_context(), db.writing() as session:
        staff = create_staff(
            session,
            email="talker@fjc.example",
            name="Talker",
            role="case_director",
            password=TEST_PASSWORD,
        )
        return staff.id


def _start(session):
    return conversations.start(session, centre_id=default_centre(session).id, language="nl")


def test_a_resent_line_is_stored_once_and_lines_are_numbered_in_order(app):
    with app.app_context(), db.writing() as session:
        conversation = _start(session).conversation
        first, new = conversations.write(
            session, conversation.id, sender=Sender.PERSON, body="Hallo", client_id="a1"
        )
        again, new_again = conversations.write(
            session, conversation.id, sender=Sender.PERSON, body="Hallo", client_id="a1"
        )
        second, _ = conversations.write(
            session, conversation.id, sender=Sender.PERSON, body="Ben je daar?", client_id="a2"
        )
        assert (new, new_again) == (True, False)
        assert again.id == first.id
        assert [line.seq for line in conversations.lines_after(session, conversation.id, 0)] == [
            1,
            2,
        ]
        assert [line.body for line in conversations.lines_after(session, conversation.id, 1)] == [
            "Ben je daar?"
        ]
        assert second.seq == 2


def test_only_the_member_who_holds_it_writes_and_a_taken_one_cannot_be_taken_again(app, member):
    with app.app_context(), db.writing() as session:
        from core.model import Staff

        staff = session.get(Staff, member)
        other = create_staff(
            session,
            email="other@fjc.example",
            name="Other",
            role="coordinator",
            password=TEST_PASSWORD,
        )
        conversation = _start(session).conversation
        with pytest.raises(RuleError) as refused:
            conversations.write(
                session,
                conversation.id,
                sender=Sender.STAFF,
                body="Hoi",
                client_id=None,
                author=staff,
            )
        assert refused.value.code == "not_yours"
        conversations.take(session, conversation.id, staff)
        with pytest.raises(RuleError) as taken:
            conversations.take(session, conversation.id, other)
        assert taken.value.code == "already_taken"
        conversations.write(
            session, conversation.id, sender=Sender.STAFF, body="Hoi", client_id=None, author=staff
        )
        conversations.hand_over(session, conversation.id, staff, other)
        with pytest.raises(RuleError):
            conversations.write(
                session,
                conversation.id,
                sender=Sender.STAFF,
                body="Nog",
                client_id=None,
                author=staff,
            )
        events = [line.event for line in conversations.lines_after(session, conversation.id, 0)]
        assert events == ["taken", None, "handed_over"]


def test_an_ended_conversation_she_wrote_in_becomes_a_request_with_her_code(app, member):
    with app.app_context(), db.writing() as session:
        from core.intake.mailbox import find_by_code
        from core.model import Staff

        started = _start(session)
        conversation = started.conversation
        conversations.write(
            session, conversation.id, sender=Sender.PERSON, body="Ik ben bang", client_id="x"
        )
        conversations.take(session, conversation.id, session.get(Staff, member))
        conversations.end(session, conversation.id, EndReason.BY_PERSON)
        assert conversation.status == ConversationStatus.ENDED
        intake = session.get(Intake, conversation.intake_id)
        assert intake.kind == IntakeKind.CONVERSATION
        assert intake.assigned_to_id == member
        assert find_by_code(session, started.return_code).id == intake.id
        with pytest.raises(RuleError) as ended:
            conversations.write(
                session, conversation.id, sender=Sender.PERSON, body="nog", client_id="y"
            )
        assert ended.value.code == "conversation_ended"


def test_a_conversation_whose_page_is_gone_ends_as_left_and_without_words_leaves_no_request(
    app, clock
):
    with app.app_context(), db.writing() as session:
        conversation = _start(session).conversation
        # She may switch to another app while she waits: her place stays.
        clock.advance(minutes=9)
        assert conversations.sweep(session, conversation.centre_id) == []
        clock.advance(minutes=2)
        assert conversations.sweep(session, conversation.centre_id) == [conversation.id]
        assert conversation.end_reason == EndReason.LEFT
        assert conversation.intake_id is None


def test_talking_she_may_be_quiet_for_longer_than_while_waiting(app, clock, member):
    with app.app_context(), db.writing() as session:
        from core.model import Staff

        conversation = _start(session).conversation
        conversations.take(session, conversation.id, session.get(Staff, member))
        clock.advance(minutes=10)
        assert conversations.sweep(session, conversation.centre_id) == []
        clock.current += timedelta(minutes=6)
        assert conversations.sweep(session, conversation.centre_id) == [conversation.id]


def test_the_sweep_does_not_end_a_conversation_she_came_back_to(app, clock):
    """The sweep reads without the lock; end() looks again under it."""
    with app.app_context(), db.writing() as session:
        conversation = _start(session).conversation
        clock.advance(minutes=11)
        conversations.note_person_seen(session, conversation)
        assert conversations.end(session, conversation.id, EndReason.LEFT).status == "waiting"
        assert conversations.sweep(session, conversation.centre_id) == []
