"""A form whose answer never arrived (the connection broke after the request
was stored) can be sent again from the same browser: the person then sees a
return code for her request, a new one, and the earlier code stops working.
Only if the page with the code never showed, only soon after, only from the
session that loaded the form, never after the quick exit, and never once the
team has written to her mailbox."""

import json
import re

import pytest
from sqlalchemy import func, select

from core.infra import crypto
from core.model import AuditEvent, Intake
from tests.conftest import TEST_PASSWORD
from tests.pages import form_values
from web.db import db

CODE = re.compile(r'<p class="code" dir="ltr">([0-9 ]+)</p>')
QUESTION = {"question": "Is what he does to me violence?"}


def _loaded_form(client, door="question"):
    page = client.get(f"/en/{door}")
    return {**form_values(page.page, action=f"/en/{door}"), **QUESTION}


def _codes(response) -> list[str]:
    return CODE.findall(response.get_data(as_text=True))


def _opens(client, code: str) -> bool:
    opened = client.submit("/en/return", {"code": code})
    return "We could not open a request with this code." not in opened.get_data(as_text=True)


def _requests(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Intake.id)))


def _lost_code(app, client) -> str:
    """The code waiting in the session for a page that never arrived."""
    with client.session_transaction() as session:
        sealed = session["receipt"]
    with app.app_context():
        return json.loads(crypto.keyring().decrypt(sealed))["code"]


def test_an_answer_lost_on_the_way_can_be_had_again_with_a_new_code(app, client):
    form = _loaded_form(client)
    client.post("/en/question", data=form, follow_sent=False)  # its answer never arrives
    lost_code = _lost_code(app, client)
    again = client.post("/en/question", data=form)
    [new_code] = _codes(again)
    page = again.get_data(as_text=True)
    assert "You sent this form before. We did not store it twice." in page
    assert "A code you saw before no longer works." in page
    assert new_code != lost_code
    assert _requests(app) == 1
    reader = app.test_client()
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert _opens(reader, new_code)
    assert not _opens(app.test_client(), lost_code)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "intake.code_given_again" in actions


def test_a_code_she_has_seen_is_never_replaced(app, client):
    """Someone pressing Back on her phone and sending again must not take her
    mailbox away from her: once the page with the code was shown, it stays."""
    form = _loaded_form(client)
    [first] = _codes(client.post("/en/question", data=form))
    other_phone = app.test_client()
    assert _opens(other_phone, first)
    again = client.post("/en/question", data=form)
    assert not _codes(again)
    assert "Your message was already sent" in again.get_data(as_text=True)
    assert QUESTION["question"] in other_phone.get("/en/return").get_data(as_text=True)


def test_a_mailbox_opened_with_the_earlier_code_closes(app, client):
    form = _loaded_form(client)
    client.post("/en/question", data=form, follow_sent=False)
    other_phone = app.test_client()
    assert _opens(other_phone, _lost_code(app, client))
    assert QUESTION["question"] in other_phone.get("/en/return").get_data(as_text=True)
    _codes(client.post("/en/question", data=form))
    assert QUESTION["question"] not in other_phone.get("/en/return").get_data(as_text=True)


def test_after_fifteen_minutes_the_form_is_only_said_to_be_sent(app, client, clock):
    form = _loaded_form(client)
    client.post("/en/question", data=form, follow_sent=False)
    clock.advance(minutes=16)
    late = client.post("/en/question", data=form)
    assert not _codes(late)
    page = late.get_data(as_text=True)
    assert "Your message was already sent" in page
    assert "Did you not see a code? Then fill in the form again." in page
    assert "was on the page you saw" not in page


def test_after_the_quick_exit_no_code_is_given_again(app, client):
    form = _loaded_form(client)
    client.post("/en/question", data=form, follow_sent=False)
    client.get("/exit")
    # The exit ended the session, so its CSRF token went too: even a form
    # re-sent with a fresh token is not given the code.
    fresh = form_values(client.get("/en/question").page, action="/en/question")
    again = client.post("/en/question", data={**form, "csrf_token": fresh["csrf_token"]})
    assert not _codes(again)
    assert "Your message was already sent" in again.get_data(as_text=True)


@pytest.mark.parametrize("door", ["contact", "referral"])
def test_every_door_gives_its_code_again(app, client, door):
    page = client.get(f"/en/{door}")
    form = form_values(page.page, action=f"/en/{door}")
    form.update(
        {
            "email": "safe@example.be",
            "referrer_organisation": "CAW",
            "referrer_name": "Ann",
            "referrer_email": "ann@caw.example",
            "client_consent": "agrees",
            "urgency": "normal",
        }
    )
    client.post(f"/en/{door}", data=form, follow_sent=False)
    assert _codes(client.post(f"/en/{door}", data=form))
    assert _requests(app) == 1


def test_once_the_team_has_written_no_code_is_given_again(app, client, make_staff):
    form = _loaded_form(client)
    client.post("/en/question", data=form, follow_sent=False)
    _, email = make_staff("coordinator")
    staff = app.test_client()
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    staff.submit("/staff/login", {"email": email, "password": TEST_PASSWORD})
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    staff.submit(
        f"/staff/intakes/{intake_id}/reply",
        {"body": "It is. We can help."},
        form_page=f"/staff/intakes/{intake_id}",
    )
    again = client.post("/en/question", data=form)
    assert not _codes(again)
