"""With FJC_REDIS_URL set and Redis down, people can still ask for help, open
their mailbox and sign in: the rate limits fall back to counting per process."""

import re

import pytest
from sqlalchemy import select

from core.model import Intake
from tests.conftest import TEST_PASSWORD
from web.db import db
from web.security import limiter

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")


@pytest.fixture
def app_without_redis(app_factory):
    yield app_factory(FJC_REDIS_URL=UNREACHABLE_REDIS, RATELIMIT_ENABLED=True)
    # The limiter is one object for the process; in production one app uses
    # it, here the next test's app must not inherit "Redis is down".
    limiter._storage_dead = False


def test_redis_down_keeps_the_doors_the_mailbox_and_sign_in_open(app_without_redis):
    app = app_without_redis
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sent = client.submit("/en/contact", {"email": "p@example.be", "story": "Help"})
    assert sent.status_code == 200
    code = CODE.findall(sent.get_data(as_text=True))[0]
    with app.app_context():
        assert db.session.scalars(select(Intake)).one().story == "Help"
    assert client.submit("/en/return", {"code": code}).status_code == 303
    with app.app_context(), db.writing() as session:
        from core.identity.staff import create_staff

        create_staff(
            session, email="c@fjc.example", name="C", role="coordinator", password=TEST_PASSWORD
        )
    staff = app.test_client()
    signed = staff.submit("/staff/login", {"email": "c@fjc.example", "password": TEST_PASSWORD})
    assert signed.status_code == 302
    # And the limits still hold, per process: guessing codes is stopped.
    guesser = app.test_client()
    statuses = [guesser.submit("/en/return", {"code": f"{n:016d}"}).status_code for n in range(11)]
    assert statuses[-1] == 429
