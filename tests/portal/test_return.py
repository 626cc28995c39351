"""Coming back with a return code: the whole journey of door 1, 2 and 3."""

import re

import pytest
from markupsafe import Markup
from sqlalchemy import func, select

from core.model import Intake, IntakeStatus, Message, MessageDirection
from tests.conftest import TEST_PASSWORD
from web.db import db
from web.fragments import minimal_markup
from web.security import limiter

CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
NOT_OPENED = "We could not open a request with this code."


def _send(client, door: str, data: dict) -> str:
    response = client.submit(f"/en/{door}", data)
    return CODE.findall(response.get_data(as_text=True))[0]


def _open(client, code: str):
    return client.submit("/en/return", {"code": code})


def _staff_reply(app, staff_account, text: str) -> None:
    """A coordinator replies from another browser; the requester's session stays."""
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    staff = app.test_client()
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _, email = staff_account
    response = staff.submit("/staff/login", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    reply = staff.submit(
        f"/staff/intakes/{intake_id}/reply",
        {"body": text},
        form_page=f"/staff/intakes/{intake_id}",
    )
    assert reply.status_code == 303


@pytest.fixture
def coordinator(make_staff):
    return make_staff("coordinator")


@pytest.mark.parametrize(
    ("door", "data"),
    [
        ("contact", {"email": "safe@example.be", "story": "First story."}),
        ("question", {"question": "First story."}),
        (
            "referral",
            {
                "referrer_organisation": "CAW",
                "referrer_name": "Ann",
                "referrer_email": "ann@caw.example",
                "client_consent": "agrees",
                "urgency": "normal",
                "contact_via_referrer": "y",
                "story": "First story.",
            },
        ),
    ],
)
def test_each_door_end_to_end(app, client, coordinator, door, data):
    code = _send(client, door, data)
    # Typed without spaces: it still opens.
    mailbox = _open(client, code.replace(" ", ""))
    assert mailbox.status_code == 303
    page = client.get("/en/return")
    body = page.get_data(as_text=True)
    assert "We received your message." in body
    assert "First story." in body
    assert code not in body, "the code is never shown again"

    _staff_reply(app, coordinator, "Hello, we read your message. Call 1712 any time.")
    body = client.get("/en/return").get_data(as_text=True)
    assert "We answered." in body
    assert "Call 1712 any time." in body

    added = client.submit("/en/return/message", {"body": "One more thing."}, form_page="/en/return")
    assert added.status_code == 303
    body = client.get("/en/return").get_data(as_text=True)
    assert "We added your message to your request." in body
    assert "One more thing." in body
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 1, "never a new request"
        directions = db.session.scalars(select(Message.direction).order_by(Message.id)).all()
    assert directions == [MessageDirection.FROM_STAFF, MessageDirection.FROM_REQUESTER]

    confirm = client.get("/en/return/delete")
    assert "This cannot be undone." in confirm.get_data(as_text=True)
    deleted = client.submit("/en/return/delete", {})
    assert "Your request is deleted" in deleted.get_data(as_text=True)
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.ERASED
        assert (intake.name, intake.phone, intake.email, intake.story) == (None,) * 4
        assert intake.referral is None
        assert db.session.scalar(select(func.count(Message.id))) == 0
    again = _open(client, code)
    assert NOT_OPENED in again.get_data(as_text=True)


def test_a_deleted_code_and_an_unknown_code_get_the_same_answer(app, client):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    client.submit("/en/return/delete", {})
    deleted = _open(client, code)
    unknown = _open(client, "0000 0000 0000 0000")
    for response in (deleted, unknown):
        assert response.status_code == 200
        errors = [p.text for p in response.page.iter("p") if p.get("class") == "error-message"]
        assert errors == [NOT_OPENED + " Check the 16 digits and try again. "]


def test_guessing_codes_is_rate_limited(client):
    statuses = [_open(client, f"{n:016d}").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_the_session_never_holds_the_code_and_the_mailbox_closes(app, client):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    with client.session_transaction() as session:
        stored = repr(dict(session))
    assert code.replace(" ", "") not in stored and code not in stored
    closed = client.submit("/en/return/close", {}, form_page="/en/return")
    assert closed.status_code == 303
    # She lands on the code page, told what happened; the URL carries nothing.
    assert closed.headers["Location"].endswith("/en/return")
    page = client.get("/en/return")
    assert any(el.get("name") == "code" for el in page.page.iter("input"))
    notices = [p.text for p in page.page.iter("p") if p.get("class") == "notice"]
    assert notices == [
        "Your mailbox is closed on this device. Your request stays with us. "
        "You can come back with your return code."
    ]
    # Shown once: a reload says nothing more.
    again = client.get("/en/return")
    assert [p for p in again.page.iter("p") if p.get("class") == "notice"] == []


def test_closing_the_mailbox_keeps_the_request_and_the_code_opens_it_again(client):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    mailbox = client.get("/en/return").get_data(as_text=True)
    assert "Close my mailbox on this device" in mailbox
    client.submit("/en/return/close", {}, form_page="/en/return")
    reopened = _open(client, code)
    assert reopened.status_code == 303
    assert "Close my mailbox on this device" in client.get("/en/return").get_data(as_text=True)


def test_closing_the_mailbox_needs_the_csrf_token(client):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    assert client.post("/en/return/close", data={}).status_code == 400
    assert "Close my mailbox on this device" in client.get("/en/return").get_data(as_text=True)


def test_an_idle_mailbox_closes_after_thirty_minutes(app, client, clock):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    clock.advance(minutes=31)
    page = client.get("/en/return")
    assert any(el.get("name") == "code" for el in page.page.iter("input"))


def test_quick_exit_closes_the_mailbox(client):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    client.get("/exit")
    page = client.get("/en/return")
    assert any(el.get("name") == "code" for el in page.page.iter("input"))


def _code_form_shown(page) -> bool:
    return any(el.get("name") == "code" for el in page.page.iter("input"))


def test_a_copied_cookie_opens_nothing_after_close_or_the_quick_exit(app, client):
    """The mailbox ends on the server: a cookie copied while it was open
    opens nothing once she closed it, or left with the quick exit."""
    code = _send(client, "question", {"question": "Q"})
    for leave in (
        lambda: client.submit("/en/return/close", {}, form_page="/en/return"),
        lambda: client.get("/exit"),
    ):
        _open(client, code)
        copied = client.get_cookie("fjc").value
        leave()
        thief = app.test_client()
        thief.set_cookie("fjc", copied)
        assert _code_form_shown(thief.get("/en/return"))
        refused = thief.post("/en/return/message", data={"body": "x"})
        assert refused.status_code in (303, 400)
    with app.app_context():
        assert db.session.scalars(select(Message)).all() == []


def test_a_mailbox_in_use_still_ends_after_two_hours(app, client, clock):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    for _ in range(4):  # active every 25 minutes for 100 minutes: never idle
        clock.advance(minutes=25)
        assert not _code_form_shown(client.get("/en/return"))
    clock.advance(minutes=25)  # 2 h 5 after opening, 25 minutes after its last use
    assert _code_form_shown(client.get("/en/return"))


def test_adding_information_needs_text_and_keeps_nothing_else_open(client):
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    response = client.submit("/en/return/message", {"body": "  "}, form_page="/en/return")
    assert "Type your message first." in response.get_data(as_text=True)


def test_guessers_from_many_addresses_cannot_keep_her_out_of_her_mailbox(app):
    """No cap for everyone together: addresses stopped at their own limit
    leave a person with a valid code free to open her mailbox, and no limit
    on the route counts two clients as one."""
    requester = app.test_client()
    requester.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    code = _send(requester, "question", {"question": "Is this violence?"})
    requester.get("/exit")
    for n in range(12):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        for attempt in range(11):
            last = guesser.submit("/en/return", {"code": f"{n:08d}{attempt:08d}"})
        assert last.status_code == 429  # each address is stopped at its own limit
    requester.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert _open(requester, code).status_code == 303
    view = "portal.views.mailbox.open_mailbox.open_mailbox"
    limits = list(limiter.limit_manager.decorated_limits(view))
    assert limits
    keys = set()
    for address in ("198.51.100.1", "203.0.113.7"):
        environ = {"REMOTE_ADDR": address}
        with app.test_request_context("/en/return", environ_base=environ):
            keys |= {(str(limit.limit), limit.key_func()) for limit in limits}
    assert len(keys) == 2 * len(limits), keys  # every limit keys by client


def test_one_ipv6_network_counts_as_one_client(app):
    """A /64 is what one subscriber gets: fresh addresses in it share a counter."""
    statuses = []
    for n in range(11):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"2001:db8:1:2::{n + 1:x}"
        statuses.append(guesser.submit("/en/return", {"code": f"{n:016d}"}).status_code)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


RETURN_TOKEN = re.compile(r'(name="csrf_token" type="hidden" value=)"[^"]+"')


@pytest.mark.parametrize("lang", ["nl", "fr", "ar", "uk"])
def test_the_blank_form_without_a_form_object_is_the_page_rendered_with_one(app, client, lang):
    """The blank GET builds no ReturnCodeForm (its token from generate_csrf,
    the field from the shared copy); the page is the one the view wrote with
    a form object, first visit (the copy made) and later ones alike."""
    from flask import render_template

    from portal.forms import ReturnCodeForm

    pages = [client.get(f"/{lang}/return").get_data(as_text=True) for _ in range(2)]
    with app.test_request_context(f"/{lang}/return"):
        app.preprocess_request()
        with_form = render_template("portal/return.html", form=ReturnCodeForm(), blank_form=False)

    # The blank field is a shared part, its start tags written short
    # (web.fragments.minimal_markup): both pages compared as it writes them.
    def compared(page: str) -> str:
        return str(minimal_markup(Markup(RETURN_TOKEN.sub(r"\1TOKEN", page))))  # noqa: S704

    for page in pages:
        assert compared(page) == compared(with_form)


def test_a_well_formed_code_that_opens_nothing_writes_nothing(app, client):
    """The lookup and the new mailbox session are one INSERT ... SELECT: a code
    of no request, or of an erased one, opens nothing and leaves no row."""
    from core.model import MailboxSession

    code = _send(client, "question", {"question": "Is this safe?"})
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(MailboxSession))
    assert NOT_OPENED in _open(client, "0000 0000 0000 0000").get_data(as_text=True)
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        intake.status = IntakeStatus.ERASED
        db.session.commit()
    assert NOT_OPENED in _open(client, code).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MailboxSession)) == before


def test_a_valid_code_without_the_csrf_token_opens_nothing(client):
    """A well-formed code is tried before any form is built: the token is
    still checked first, for every POST (web.security.csrf)."""
    code = _send(client, "question", {"question": "Q"})
    client.get("/en/return")
    assert client.post("/en/return", data={"code": code}).status_code == 400
    assert client.post("/en/return", data={"code": code, "csrf_token": "x"}).status_code == 400
    page = client.get("/en/return")
    assert any(el.get("name") == "code" for el in page.page.iter("input"))


def test_the_message_after_closing_shows_once_and_to_her_alone(app, client):
    """The blank return page is one copy for every visitor (web.shared_pages):
    a page with a message for her is never that copy, nor copied to others."""
    closed = "Your mailbox is closed on this device."
    other = app.test_client()
    assert closed not in other.get("/en/return").get_data(as_text=True)  # the copy is made
    code = _send(client, "question", {"question": "Q"})
    _open(client, code)
    assert client.submit("/en/return/close", {}, form_page="/en/return").status_code == 303
    assert closed in client.get("/en/return").get_data(as_text=True)
    assert closed not in client.get("/en/return").get_data(as_text=True)
    assert closed not in other.get("/en/return").get_data(as_text=True)
    assert closed not in app.test_client().get("/en/return").get_data(as_text=True)


def test_only_opening_a_mailbox_commits_without_waiting_for_the_disk(app, client):
    """On PostgreSQL the mailbox session's commit does not wait for the disk
    (a sign-in: lost in a crash, she types her code again): its one statement
    says so for its own transaction, and runs alone in autocommit (no BEGIN
    and COMMIT round trips). What she sends commits as before; a code that
    opens nothing writes nothing (tests/core/intake/test_mailbox_sessions.py
    shows the setting is left as it was)."""
    from sqlalchemy import event

    seen: list[tuple[str, bool]] = []

    def note(conn, _cursor, statement, *_args):
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        seen.append((statement, autocommit))

    with app.app_context():
        engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        code = _send(client, "question", {"question": "Q"})
        sending = list(seen)
        opened_at = len(seen)
        assert _open(client, code).status_code == 303
        opening = seen[opened_at:]
    finally:
        event.remove(engine, "before_cursor_execute", note)
    deferred = "set_config('synchronous_commit', 'off', true)"
    if engine.dialect.name == "postgresql":
        assert len(opening) == 1
        statement, autocommit = opening[0]
        assert statement.startswith("INSERT INTO mailbox_sessions") and deferred in statement
        assert autocommit
    else:
        assert not any(deferred in statement for statement, _ in opening)
        assert not any(autocommit for _, autocommit in opening)
    assert not any(deferred in statement or autocommit for statement, autocommit in sending)
    assert "Close my mailbox on this device" in client.get("/en/return").get_data(as_text=True)
