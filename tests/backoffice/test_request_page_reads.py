"""A request's page reads that request, and of its look-alikes only what it
lists (number, date, door); its forms, as first shown, come from markup made
once, and a form sent back with problems shows what was typed, on that page only."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from core.governance import retention_holds
from core.identity.staff import create_staff
from core.infra import clock
from core.intake import triage
from core.intake.intakes import SafeContact, Submission, submit
from core.intake.safe_window import Channel
from core.intake.triage import AttemptOutcome
from core.model import AuditEvent, Centre, Intake, IntakeKind, Staff
from tests.backoffice.helpers import (
    staff_client,
)
from tests.conftest import TEST_PASSWORD, app_on_own_database
from web.db import db


def _send(session, *, kind=IntakeKind.CONTACT, story="Help.", **contact) -> int:
    intake, _code = submit(
        session,
        Submission(kind=kind, language="nl", contact=SafeContact(**contact), story=story or None),
    )
    session.flush()
    return intake.id


def _tokens(app, intake_id: int) -> set[str]:
    with app.app_context():
        row = db.session.execute(
            text("SELECT name, phone, email, story FROM intakes WHERE id = :id"), {"id": intake_id}
        ).one()
    return {value for value in row if value is not None}


def test_the_page_opens_its_own_request_and_lists_look_alikes_unopened(app, make_staff, decrypted):
    with app.app_context(), db.writing() as session:
        shown = _send(session, name="Sam", email="sam@example.be", story="My story.")
        alike = [
            _send(session, name=f"Sam {n}", email="sam@example.be", story=f"Story {n}.")
            for n in range(3)
        ]
    coordinator = staff_client(app, make_staff("coordinator"))
    decrypted.clear()
    page = coordinator.get(f"/staff/intakes/{shown}")
    body = page.get_data(as_text=True)
    assert "My story." in body and "sam@example.be" in body
    for other in alike:
        assert f'href="/staff/intakes/{other}"' in body, "listed as the same person"
        assert not _tokens(app, other) & set(decrypted), "but nothing of it opened"
    assert set(decrypted) <= _tokens(app, shown)
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent.target_id).where(AuditEvent.action == "intake.viewed")
        ).all()
    assert viewed == [shown], "reading the page is still in the audit trail"


def test_each_request_page_offers_its_own_ways_of_contact(app, make_staff):
    with app.app_context(), db.writing() as session:
        question = _send(session, kind=IntakeKind.QUESTION)
        by_phone = _send(session, phone="0470 11 22 33", may_call=True)
        by_mail = _send(session, email="m@example.be")
    director = staff_client(app, make_staff("case_director"))

    def channels(intake_id: int) -> list[str]:
        page = director.get(f"/staff/intakes/{intake_id}").page
        return [el.get("value") for el in page.iter("input") if el.get("name") == "attempt-channel"]

    fragments = app.extensions["fjc_fragments"]
    made = []
    for _ in range(2):  # made, then from the markup kept
        assert channels(question) == ["portal"]
        assert channels(by_phone) == ["call", "text", "voicemail", "portal"]
        assert channels(by_mail) == ["email", "portal"]
        made.append(fragments.renders)
    assert made[0] == made[1], "the second round made no markup again"


def test_what_was_typed_in_a_refused_form_stays_on_that_answer_only(app, make_staff):
    with app.app_context(), db.writing() as session:
        first = _send(session, email="a@example.be")
        second = _send(session, email="b@example.be")
    director = staff_client(app, make_staff("case_director"))
    page = f"/staff/intakes/{first}"
    refused = director.submit(
        f"{page}/attempts",
        {"attempt-channel": "email", "attempt-note": "Tried twice"},
        form_page=page,
    )
    assert refused.status_code == 200
    assert "Tried twice" in refused.get_data(as_text=True)
    refused_decision = director.submit(
        f"{page}/decision", {"decision-note": "Not sure yet"}, form_page=page
    )
    assert "Not sure yet" in refused_decision.get_data(as_text=True)
    refused_reply = director.submit(f"{page}/reply", {"body": " "}, form_page=page)
    assert "Type a reply first." in refused_reply.get_data(as_text=True)
    for again in (page, f"/staff/intakes/{second}"):
        body = director.get(again).get_data(as_text=True)
        assert "Tried twice" not in body and "Not sure yet" not in body
        assert "Type a reply first." not in body and "Choose what happened." not in body
        assert "checked" not in body.split('id="attempt-rules"')[1].split("</form>")[0]


@contextmanager
def _statements(app):
    with app.app_context():
        engine = db.get_engine()
    seen: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def test_a_hold_or_a_transfer_is_read_only_when_the_request_has_one(app, make_staff):
    """The request's own statement says whether a legal hold is in force and a
    transfer waits; without them the page asks neither table on its own."""
    with app.app_context(), db.writing() as session:
        plain = _send(session, email="p@example.be")
        kept = _send(session, email="k@example.be")
    staff_id, email = make_staff("coordinator")
    coordinator = staff_client(app, (staff_id, email))

    def own_reads(seen: list[str], table: str) -> list[str]:
        return [s for s in seen if s.startswith(f"SELECT {table}.")]

    with _statements(app) as seen:
        page = coordinator.get(f"/staff/intakes/{plain}").get_data(as_text=True)
    assert "Place a legal hold on this request" in page
    assert not own_reads(seen, "intake_holds") and not own_reads(seen, "centre_transfers")

    with app.app_context(), db.writing() as session:
        retention_holds.place(
            session,
            session.get(Intake, kept),
            session.get(Staff, staff_id),
            reason="Court case.",
            review_on=clock.now().date() + timedelta(days=90),
            today=clock.now().date(),
        )
    with _statements(app) as seen:
        page = coordinator.get(f"/staff/intakes/{kept}").get_data(as_text=True)
    assert "A legal hold keeps this request" in page and "Court case." in page
    assert len(own_reads(seen, "intake_holds")) == 1


def test_contact_attempts_are_read_only_when_the_request_has_one(app, make_staff):
    """The request's own statement says whether anyone tried to reach the
    person; without an attempt the page asks that table nothing more."""
    with app.app_context(), db.writing() as session:
        tried = _send(session, email="t@example.be")
    staff_id, email = make_staff("coordinator")
    coordinator = staff_client(app, (staff_id, email))

    def attempt_reads(seen: list[str]) -> list[str]:
        return [s for s in seen if s.startswith("SELECT contact_attempts.")]

    with _statements(app) as seen:
        page = coordinator.get(f"/staff/intakes/{tried}").get_data(as_text=True)
    assert "No contact attempts yet." in page
    assert not attempt_reads(seen)

    with app.app_context(), db.writing() as session:
        triage.record_attempt(
            session,
            session.get(Intake, tried),
            session.get(Staff, staff_id),
            channel=Channel.EMAIL,
            outcome=AttemptOutcome.NO_ANSWER,
            note="Nobody wrote back.",
            timezone="Europe/Brussels",
        )
    with _statements(app) as seen:
        page = coordinator.get(f"/staff/intakes/{tried}").get_data(as_text=True)
    assert "No contact attempts yet." not in page and "Nobody wrote back." in page
    assert len(attempt_reads(seen)) == 1


@pytest.fixture
def lone_app(backend, tmp_path):
    """An app of one centre on a database of its own (the shared test database
    keeps the centres other tests' networks made)."""
    yield from app_on_own_database(backend, tmp_path)


def test_a_centre_with_no_other_centre_reads_no_centres_and_offers_no_transfer(lone_app):
    """The request's own statement says whether another centre is active; a
    centre of its own reads no list of centres, and the page says there is
    none to send to, with no transfer form."""
    with lone_app.app_context(), db.writing() as session:
        shown = _send(session, email="s@example.be")
        assert session.scalar(select(func.count()).select_from(Centre)) == 1
        staff = create_staff(
            session,
            email="lone@fjc.example",
            name="Lone Coordinator",
            role="coordinator",
            password=TEST_PASSWORD,
        )
        staff_id = staff.id
    coordinator = staff_client(lone_app, (staff_id, "lone@fjc.example"))
    with _statements(lone_app) as seen:
        page = coordinator.get(f"/staff/intakes/{shown}").get_data(as_text=True)
    assert "There is no other centre in this network." in page
    assert 'name="to_centre"' not in page
    assert not [s for s in seen if s.startswith("SELECT centres.id, centres.slug")]
