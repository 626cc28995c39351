"""The one query every signed-in request makes (core.identity.staff_sessions.
find_signed_in): the account of a live session and its centres, as
core.network.centres.centres_of lists them, or nothing."""

import pytest
from sqlalchemy import select

from core.identity import staff_sessions
from core.identity.staff import create_staff
from core.infra import clock
from core.infra.config import PROJECT_ROOT
from core.model import Centre, Staff
from core.network.centres import add_member, centres_of
from tests.conftest import TEST_PASSWORD
from web.db import db

EXAMPLE = str(PROJECT_ROOT / "data" / "centres-example.json")


@pytest.fixture
def network(app_factory):
    return app_factory(FJC_CENTRE_FILE=EXAMPLE)


def test_a_live_session_brings_its_account_and_centres_home_first(network):
    with network.app_context(), db.writing() as session:
        centres = list(session.scalars(select(Centre).order_by(Centre.name.desc())))
        assert len(centres) >= 3
        home, *others = centres
        staff = create_staff(
            session,
            email="both@fjc.example",
            name="Both",
            role="coordinator",
            password=TEST_PASSWORD,
            centre_id=home.id,
        )
        for centre in others[:2]:
            add_member(session, staff, centre)
        token = staff_sessions.start(session, staff, clock.now())
        found = staff_sessions.find_signed_in(session, token, staff.id)
        assert found is not None and found.staff is staff
        assert found.started_at == clock.now()
        assert [c.slug for c in found.centres] == [c.slug for c in centres_of(session, staff)]
        assert found.centres[0].id == home.id and len(found.centres) == 3


def test_an_ended_session_or_another_accounts_token_finds_nobody(app, make_staff):
    first_id, _ = make_staff("coordinator")
    other_id, _ = make_staff("coordinator")
    with app.app_context(), db.writing() as session:
        first = session.get(Staff, first_id)
        token = staff_sessions.start(session, first, clock.now())
        assert staff_sessions.find_signed_in(session, token, other_id) is None
        assert staff_sessions.find_signed_in(session, "not a token", first_id) is None
        staff_sessions.end(session, token, clock.now())
        assert staff_sessions.find_signed_in(session, token, first_id) is None


def test_the_account_is_the_sessions_own_object_as_the_orm_loads_it(app, make_staff):
    """Made from the row's columns (not by the ORM's loading): in the session,
    a change to it written like any other, the TOTP secret and the
    relationships read when first used."""
    staff_id, _ = make_staff("coordinator")
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        staff.totp_secret = "JBSWY3DPEHPK3PXP"
        token = staff_sessions.start(session, staff, clock.now())
    with app.app_context(), db.writing() as session:
        found = staff_sessions.find_signed_in(session, token, staff_id)
        assert found is not None and found.waiting is None
        assert found.staff in session and found.staff not in session.dirty
        assert found.staff.totp_secret == "JBSWY3DPEHPK3PXP"
        assert found.staff.centre is found.centres[0]
        found.staff.name = "Renamed"
    with app.app_context(), db.writing() as session:
        assert session.get(Staff, staff_id).name == "Renamed"


def test_with_waiting_it_counts_who_waits_to_talk_at_each_centre(network):
    from core.talk import conversations

    with network.app_context(), db.writing() as session:
        home, other = list(session.scalars(select(Centre).order_by(Centre.id)))[:2]
        staff = create_staff(
            session,
            email="talk@fjc.example",
            name="Talk",
            role="coordinator",
            password=TEST_PASSWORD,
            centre_id=home.id,
        )
        add_member(session, staff, other)
        conversations.start(session, centre_id=other.id, language="nl")
        conversations.start(session, centre_id=other.id, language="fr")
        token = staff_sessions.start(session, staff, clock.now())
        found = staff_sessions.find_signed_in(session, token, staff.id, with_waiting=True)
        assert found is not None
        assert found.waiting == {home.id: 0, other.id: 2}
