"""Talk now in a network of centres: her municipality decides which team
answers, and whether that team is there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.identity.staff import create_staff
from core.infra.config import PROJECT_ROOT
from core.model import Centre, Conversation, Municipality, Staff
from core.talk.availability import set_available
from tests.conftest import TEST_PASSWORD
from tests.portal.test_talk import OPEN, _by_id
from web.db import db


@pytest.fixture
def network(app_factory, clock):
    clock.current = OPEN
    app = app_factory(FJC_CENTRE_FILE=str(PROJECT_ROOT / "data" / "centres-example.json"))
    with app.app_context(), db.writing() as session:
        leuven = session.scalar(select(Centre).where(Centre.slug == "leuven"))
        staff = create_staff(
            session,
            email="leuven-talk@fjc.example",
            name="Leuven",
            role="case_director",
            password=TEST_PASSWORD,
            centre_id=leuven.id,
        )
        set_available(session, session.get(Staff, staff.id), leuven.id, True)
    return app


def _municipality(app, name: str) -> str:
    with app.app_context():
        return str(
            db.session.scalar(
                select(Municipality.id).where(Municipality.name == name, Municipality.active)
            )
        )


def test_the_start_asks_where_she_lives_and_her_team_answers(network):
    client = network.test_client()
    page = client.get("/en/talk")
    assert page.page.find(".//select[@name='municipality']") is not None
    started = client.submit(
        "/en/talk/start",
        {"safe_now": "yes", "municipality": _municipality(network, "Herent")},
        form_page="/en/talk",
    )
    assert started.status_code == 303
    assert _by_id(client.get("/en/talk").page, "talk-status").get("data-state") == "waiting"
    with network.app_context():
        conversation = db.session.scalars(select(Conversation)).one()
        assert db.session.get(Centre, conversation.centre_id).slug == "leuven"


def test_a_team_with_nobody_available_offers_the_other_ways(network):
    client = network.test_client()
    started = client.submit(
        "/en/talk/start",
        {"safe_now": "yes", "municipality": _municipality(network, "Mechelen")},
        form_page="/en/talk",
    )
    assert started.status_code == 303
    page = client.get("/en/talk")
    assert "Everyone in the team is busy" in page.get_data(as_text=True)
    assert _by_id(page.page, "talk-start") is None
    with network.app_context():
        assert db.session.scalars(select(Conversation)).first() is None
