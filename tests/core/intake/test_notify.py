"""The urgent notice goes through a real SMTP server on loopback (aiosmtpd)."""

import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from core.model import Intake
from web.db import db

PERSONAL = ("0470 55 66 77", "Sam Peeters", "hidden story", "sam@example.be")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    port, _ = smtp
    return app_factory(
        FJC_SMTP_HOST="127.0.0.1", FJC_SMTP_PORT=port, FJC_TEAM_EMAIL=["team@fjc.example"]
    )


def _contact(client, danger: str):
    return client.submit(
        "/en/contact",
        {
            "danger_now": danger,
            "name": PERSONAL[1],
            "phone": PERSONAL[0],
            "phone_permissions": ["call"],
            "email": PERSONAL[3],
            "story": PERSONAL[2],
        },
    )


def test_an_urgent_request_sends_a_notice_without_personal_data(mail_app, smtp):
    _, inbox = smtp
    response = _contact(mail_app.test_client(), "yes")
    assert response.status_code == 200
    assert len(inbox.messages) == 1
    recipients, content = inbox.messages[0]
    assert recipients == ["team@fjc.example"]
    assert "urgent request" in content
    for value in PERSONAL:
        assert value not in content
    with mail_app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    assert f"/{intake_id}" not in content


def test_a_request_that_is_not_urgent_sends_nothing(mail_app, smtp):
    _, inbox = smtp
    _contact(mail_app.test_client(), "no")
    assert inbox.messages == []


def _referral(client, urgency: str):
    return client.submit(
        "/en/referral",
        {
            "referrer_organisation": "CAW",
            "referrer_name": "Jo",
            "referrer_email": "jo@caw.example",
            "client_consent": "agrees",
            "urgency": urgency,
            "name": PERSONAL[1],
            "phone": PERSONAL[0],
            "phone_permissions": ["call"],
            "story": PERSONAL[2],
        },
    )


@pytest.mark.parametrize(("urgency", "notices"), [("today", 1), ("this_week", 0)])
def test_a_referral_for_today_sends_a_notice(mail_app, smtp, urgency, notices):
    _, inbox = smtp
    response = _referral(mail_app.test_client(), urgency)
    assert "return code" in response.get_data(as_text=True).lower()
    assert len(inbox.messages) == notices
    for _recipients, content in inbox.messages:
        for value in PERSONAL:
            assert value not in content


def test_a_mail_server_that_is_down_loses_no_request(app_factory):
    app = app_factory(
        FJC_SMTP_HOST="127.0.0.1", FJC_SMTP_PORT=_free_port(), FJC_TEAM_EMAIL=["team@fjc.example"]
    )
    response = _contact(app.test_client(), "yes")
    assert response.status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(Intake)).all()) == 1
