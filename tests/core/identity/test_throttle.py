"""Per-account throttling: a growing delay, a lock after 10 failures in an hour,
the same for unknown addresses, and an unlock by an admin or an operator."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.identity import throttle
from core.model import AuditEvent, LoginThrottle
from tests.backoffice.helpers import login
from tests.conftest import TEST_PASSWORD
from web.db import db
from web.security import limiter

WRONG = "The e-mail address or the password is not right."
LOCKED = "This account is locked after too many attempts."


def _fail(app, email, clock, times=1):
    with app.app_context(), db.writing() as session:
        for _ in range(times):
            verdict = throttle.record_failure(session, email, clock())
    return verdict


def test_the_delay_grows_after_three_failures():
    assert [throttle.delay_after(n).total_seconds() for n in range(1, 10)] == [
        0,
        0,
        1,
        2,
        4,
        8,
        16,
        32,
        64,
    ]


def test_ten_failures_within_an_hour_lock_until_unlocked(app, clock):
    email = "someone@fjc.example"
    for n in range(1, 10):
        verdict = _fail(app, email, clock)
        assert not verdict.locked, n
        clock.advance(seconds=verdict.wait_seconds)
    assert _fail(app, email, clock).locked
    clock.advance(days=2)
    with app.app_context(), db.writing() as session:
        assert throttle.check(session, email, clock()).locked, "a lock does not wear off"
        assert throttle.unlock(session, email)
        assert throttle.check(session, email, clock()).allowed


def test_failures_older_than_an_hour_no_longer_count(app, clock):
    email = "slow@fjc.example"
    _fail(app, email, clock, times=9)
    clock.advance(hours=1, seconds=1)
    verdict = _fail(app, email, clock)
    assert not verdict.locked and verdict.wait_seconds == 0


def test_nothing_personal_is_stored_and_case_does_not_matter(app, clock):
    _fail(app, "Ann@FJC.example ", clock, times=3)
    with app.app_context(), db.writing() as session:
        rows = session.scalars(select(LoginThrottle)).all()
        assert len(rows) == 1 and rows[0].failures == 3
        assert rows[0].key == throttle.throttle_key("ann@fjc.example")
        assert "ann" not in rows[0].key
        assert throttle.check(session, "ann@fjc.example", clock()).wait_seconds == 1


@pytest.fixture
def no_client_limit(monkeypatch):
    """Per-client limits (Flask-Limiter, real time) have tests of their own."""
    monkeypatch.setattr(limiter, "_check_request_limit", lambda *args, **kwargs: None)


def _ten_wrong_passwords(client, email, clock):
    answers = []
    for _ in range(10):
        answers.append(login(client, email, "wrong password, really").get_data(as_text=True))
        clock.advance(minutes=2)
    return answers


@pytest.mark.usefixtures("no_client_limit")
def test_a_known_and_an_unknown_address_are_locked_alike(app, client, make_staff, clock):
    _, email = make_staff("coordinator")
    for address in (email, "nobody@fjc.example"):
        answers = _ten_wrong_passwords(client, address, clock)
        assert all(WRONG in answer for answer in answers[:9])
        assert LOCKED in answers[9]
        # Even the right password is refused now, with the same words.
        assert LOCKED in login(client, address, TEST_PASSWORD).get_data(as_text=True)


@pytest.mark.usefixtures("no_client_limit")
def test_while_waiting_even_the_right_password_is_not_tried(app, client, make_staff, clock):
    _, email = make_staff("coordinator")
    for _ in range(3):
        login(client, email, "wrong password, really")
    fourth = login(client, email, "wrong password, really").get_data(as_text=True)
    assert "Wait 1 second," in fourth and WRONG not in fourth, "refused, not counted"
    response = login(client, email, TEST_PASSWORD)
    assert response.status_code == 200
    assert "Wait 1 second," in response.get_data(as_text=True)
    clock.advance(seconds=1)
    assert login(client, email, TEST_PASSWORD).status_code == 302


@pytest.mark.usefixtures("no_client_limit")
def test_an_admin_unlocks_an_account_and_it_is_audited(app, client, make_staff, clock):
    locked_id, email = make_staff("case_director", name="Locked Person")
    _ten_wrong_passwords(client, email, clock)
    admin_id, admin_email = make_staff("admin")
    assert login(client, admin_email).status_code == 302
    page = client.get("/staff/admin/staff")
    assert "Locked" in page.get_data(as_text=True)
    response = client.submit(
        f"/staff/admin/staff/{locked_id}/unlock", {}, form_page="/staff/admin/staff"
    )
    assert response.status_code == 303
    client.submit("/staff/logout", {}, form_page="/staff/account")
    assert login(client, email).status_code == 302
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.unlocked")
        ).one()
        locked_events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.locked")
        ).all()
    assert (event.actor_id, event.target_id) == (admin_id, locked_id)
    assert [e.target_id for e in locked_events] == [locked_id]


def test_the_operator_can_unlock_from_the_command_line(app, make_staff, clock):
    _, email = make_staff("admin")
    _fail(app, email, clock, times=10)
    result = app.test_cli_runner().invoke(args=["unlock-staff", email])
    assert result.exit_code == 0 and "unlocked" in result.output
    with app.app_context():
        assert not throttle.is_locked(db.session, email)
    unknown = app.test_cli_runner().invoke(args=["unlock-staff", "nobody@fjc.example"])
    assert unknown.exit_code == 1


def test_the_lock_window_is_an_hour():
    assert timedelta(hours=1) == throttle.WINDOW
    assert throttle.LOCK_AFTER == 10


def test_a_wrong_address_and_a_wrong_password_cost_the_same_work(
    app, client, make_staff, monkeypatch
):
    """Timing: both answers take exactly one argon2 verification (and one throttle write)."""
    from core.identity import passwords

    _, email = make_staff("coordinator")
    calls = []

    class Counting:
        def __init__(self, hasher):
            self._hasher = hasher

        def __getattr__(self, name):
            return getattr(self._hasher, name)

        def verify(self, *args):
            calls.append(1)
            return self._hasher.verify(*args)

    monkeypatch.setattr(passwords, "_hasher", Counting(passwords._hasher))
    login(client, email, "wrong password, really")
    login(client, "nobody@fjc.example", "wrong password, really")
    assert len(calls) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 2
