"""Redis, which holds the shared rate-limit counters, goes away under a running
production gunicorn (FJC_REDIS_URL set, rate limits on).

Without it each worker counts for itself (Flask-Limiter's in-memory fallback):
people can still send a request, open their mailbox with a return code, and
staff can still sign in; the limits still hold, per process. /healthz stays
200 (the database decides) and says "redis": "degraded", and the log says
Redis is unreachable. When Redis is back, /healthz says "ok" again, without a
restart of gunicorn.
"""

from __future__ import annotations

import re
import secrets

import pytest

from bench.serving import Browser
from core.identity import two_factor
from core.identity.staff import create_staff
from core.infra import clock
from tests.conftest import TEST_PASSWORD
from tests.faults.conftest import (
    RECOVERY_SECONDS,
    Service,
    Visitor,
    assert_recovers,
    healthz,
    open_mailbox,
    wait_until,
)
from tests.stored import stored_requests
from web.db import db

pytestmark = [pytest.mark.xdist_group("faults"), pytest.mark.usefixtures("real_time")]

WORKERS = 3
# The portal's submit limit (portal/views/doors.py): 10 a minute per client.
SUBMIT_LIMIT = 10
REDIS_UNREACHABLE = re.compile(r"redis[^\n]*unreachable", re.IGNORECASE)


@pytest.fixture(scope="module")
def shared_service(make_postgres, make_redis, start_gunicorn, reader) -> Service:
    postgres, redis = make_postgres(), make_redis()
    server = start_gunicorn(
        postgres.url, redis_url=redis.url, workers=WORKERS, FJC_RATELIMIT_ENABLED="true"
    )
    return Service(postgres, redis, server, reader(postgres.url))


@pytest.fixture
def redis_down(service):
    """Redis stopped for the test, started again afterwards (if the test did not)."""
    service.redis.stop()
    yield service
    if not service.redis.running:
        service.redis.start()


def _send(port: int, marker: str, address: str) -> Visitor:
    visitor = Visitor(port, marker=marker, door="question", lang="fr", address=address)
    visitor.attempt()
    return visitor


def _staff_with_recovery_code(app) -> tuple[str, str]:
    """A coordinator with a confirmed second factor (production asks for one);
    returns the e-mail and one recovery code."""
    email = f"redis-{secrets.token_hex(3)}@fjc.example"
    with app.app_context(), db.writing() as session:
        staff = create_staff(
            session, email=email, name="Rosa Redis", role="coordinator", password=TEST_PASSWORD
        )
        two_factor.begin_enrolment(staff)
        staff.totp_confirmed_at = clock.now()
        codes = two_factor.new_recovery_codes(session, staff)
    return email, codes[0]


def _sign_in(port: int, email: str, recovery_code: str) -> str:
    browser = Browser(port, client_address="203.0.113.40")
    token = browser.csrf_token("/staff/login")
    status, body = browser.post(
        "/staff/login", {"csrf_token": token, "email": email, "password": TEST_PASSWORD}
    )
    assert status == 302, body[:400]
    token = browser.csrf_token("/staff/login/code")
    status, body = browser.post("/staff/login/code", {"csrf_token": token, "code": recovery_code})
    assert status == 302, body[:400]
    status, body = browser.get("/staff/")
    assert status == 200 and "/staff/logout" in body, status
    return body


def test_without_redis_people_submit_open_their_mailbox_and_staff_sign_in(redis_down):
    service = redis_down
    port = service.server.port
    log_start = service.server.log_path.stat().st_size
    run = f"rd-{secrets.token_hex(3)}"
    visitors = [_send(port, f"{run}-{n}", f"198.51.100.{n + 1}") for n in range(6)]
    assert all(v.acknowledged for v in visitors), [v.failures[-1:] for v in visitors]

    page = open_mailbox(port, visitors[0].return_code)
    assert visitors[0].marker in page, "the mailbox does not show the request"
    email, code = _staff_with_recovery_code(service.app)
    _sign_in(port, email, code)

    status, body = healthz(port)
    assert (status, body.get("database"), body.get("redis")) == (200, "ok", "degraded"), body
    log = service.server.log_path.read_bytes()[log_start:].decode("utf-8", "replace")
    assert REDIS_UNREACHABLE.search(log), f"no line says Redis is unreachable:\n{log[-2000:]}"
    stored = stored_requests(service.app, run)
    assert sorted(stored) == sorted(v.marker for v in visitors)


def test_without_redis_each_worker_still_counts_the_limit(redis_down):
    """One client, sending again and again: each of the 3 workers lets at most
    10 through in its own memory, so a 429 comes after 30 at the latest."""
    port = redis_down.server.port
    run = f"rl-{secrets.token_hex(3)}"
    statuses = []
    for n in range(WORKERS * SUBMIT_LIMIT + 1):
        visitor = _send(port, f"{run}-{n}", "203.0.113.77")
        statuses.append(200 if visitor.acknowledged else visitor.failures[-1].status)
        if statuses[-1] == 429:
            page = visitor.failures[-1].body
            assert '<html lang="fr"' in page and "Traceback" not in page
            break
    assert statuses[-1] == 429, f"no limit without Redis: {statuses}"
    assert set(statuses[:-1]) == {200}, statuses
    assert len(statuses) - 1 >= SUBMIT_LIMIT, f"limited before one worker's limit: {statuses}"


def test_when_redis_is_back_healthz_says_ok_without_a_restart(redis_down):
    service = redis_down
    workers = set(service.server.worker_pids())
    assert healthz(service.server.port)[1].get("redis") == "degraded"
    service.redis.start()

    def _redis_ok():
        return healthz(service.server.port)[1].get("redis") == "ok"

    assert wait_until(_redis_ok, RECOVERY_SECONDS, 0.1), healthz(service.server.port)
    assert_recovers(service.server, workers, f"rb-{secrets.token_hex(3)}")
