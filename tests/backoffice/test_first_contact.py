"""First contact means the person was reached: a contact attempt that reached
her, or her reading the team's reply in her mailbox. A reply nobody read
reached no one, so it keeps the request overdue and out of the figures."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.model import Intake, Message, MessageDirection
from tests.conftest import TEST_PASSWORD
from web.db import db

CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
MONDAY = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def _staff(app, make_staff):
    staff = app.test_client()
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _, email = make_staff("coordinator")
    assert staff.submit("/staff/login", {"email": email, "password": TEST_PASSWORD}).status_code
    return staff


def _overdue_ids(staff) -> list[str]:
    queue = staff.get("/staff/").page
    return [
        a.get("href")
        for row in queue.iter("tr")
        if "overdue" in (row.get("class") or "")
        for a in row.iter("a")
    ]


def test_a_reply_counts_only_once_the_person_has_read_it(app, client, make_staff, clock):
    clock.current = MONDAY
    sent = client.submit("/en/contact", {"email": "p@example.be", "story": "Help"})
    code = CODE.findall(sent.get_data(as_text=True))[0]
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    staff = _staff(app, make_staff)
    page = f"/staff/intakes/{intake_id}"
    reply = staff.submit(f"{page}/reply", {"body": "We can talk on Tuesday."}, form_page=page)
    assert reply.status_code == 303

    clock.current = MONDAY + timedelta(days=3)  # well past the first-contact target
    with app.app_context():
        assert db.session.get(Intake, intake_id).first_contact_at is None
    staff = _staff(app, make_staff)  # a new day, a new sign-in
    assert f"/staff/intakes/{intake_id}" in _overdue_ids(staff)

    opened = client.submit("/en/return", {"code": code})
    assert opened.status_code == 303
    mailbox = client.get("/en/return")
    assert "We can talk on Tuesday." in mailbox.get_data(as_text=True)
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        assert intake.first_contact_at == MONDAY + timedelta(days=3)
        reply_row = db.session.scalars(
            select(Message).where(Message.direction == MessageDirection.FROM_STAFF)
        ).one()
        assert reply_row.read_at == MONDAY + timedelta(days=3)
    assert f"/staff/intakes/{intake_id}" not in _overdue_ids(staff)

    # Coming back later changes nothing: the first contact stays the first.
    clock.current = MONDAY + timedelta(days=5)
    client.get("/en/return")
    with app.app_context():
        assert db.session.get(Intake, intake_id).first_contact_at == MONDAY + timedelta(days=3)


def test_opening_the_mailbox_before_any_reply_is_not_a_first_contact(app, client, clock):
    clock.current = MONDAY
    sent = client.submit("/en/question", {"question": "Is this violence?"})
    code = CODE.findall(sent.get_data(as_text=True))[0]
    client.submit("/en/return", {"code": code})
    client.get("/en/return")
    with app.app_context():
        assert db.session.scalar(select(Intake.first_contact_at)) is None


def test_attempts_outside_the_rules_are_counted_in_the_figures(app, client, make_staff, clock):
    clock.current = MONDAY  # 09:30 on a Monday in Brussels
    client.submit(
        "/en/contact",
        {"phone": "0470 11 22 33", "phone_permissions": ["text"], "safe_days": ["mon"]},
    )
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    staff = _staff(app, make_staff)
    page = f"/staff/intakes/{intake_id}"
    for channel in ("text", "call", "call"):  # a call she did not allow, twice
        data = {"attempt-channel": channel, "attempt-outcome": "no_answer"}
        assert staff.submit(f"{page}/attempts", data, form_page=page).status_code == 303
    figures = staff.get("/staff/stats").page
    table = next(el for el in figures.iter("table") if el.get("id") == "table-contact-attempts")
    rows = {
        "".join(tr.find("th").itertext()).strip(): "".join(tr.find("td").itertext()).strip()
        for tr in table.iter("tr")
        if tr.find("th") is not None and tr.find("td") is not None
    }
    assert rows["Within the rules the person gave"] == "1"
    assert rows["Outside the rules the person gave"] == "2"
