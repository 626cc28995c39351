"""Two app instances (separate gunicorn masters on separate ports, as on two
machines) share one database and one Redis, and nothing on the local disk:
a client's rate limit is counted across both, and of two people taking the same
request at the same moment on different instances exactly one gets it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bench.serving import CSRF_RE, Browser, door_fields
from core.identity import two_factor
from core.identity.staff import create_staff
from core.infra import clock
from core.intake.intakes import SafeContact, Submission, submit
from core.model import AuditEvent, Intake, IntakeKind, IntakeStatusChange, Staff
from tests.conftest import TEST_PASSWORD
from web.db import db

CLAIMED_REQUESTS = 8


def test_a_clients_submit_limit_is_counted_across_instances(start_server, redis_url, app_factory):
    app_factory()  # the centre the portal needs; its requests are removed at the end
    servers = [start_server(workers=2, redis_url=redis_url) for _ in range(2)]
    # One visitor behind the proxy, sent to either instance by the load balancer.
    visitor = Browser(servers[0].port, client_address="203.0.113.7")
    statuses = []
    for attempt in range(11):
        visitor.port = servers[attempt % 2].port
        token = visitor.csrf_token("/en/question")
        fields = {"csrf_token": token, "submission_id": f"limit-{attempt}"}
        status, _body = visitor.post("/en/question", fields | door_fields("question", "limit"))
        statuses.append(status)
    assert statuses == [200] * 10 + [429], servers[0].log_tail()
    # The key is the address the proxy reports (FJC_PROXY_COUNT=1), so another
    # visitor behind the same proxy is not blocked by the first one's count.
    other = Browser(servers[1].port, client_address="203.0.113.8")
    token = other.csrf_token("/en/question")
    status, _body = other.post(
        "/en/question",
        {"csrf_token": token, "submission_id": "other"} | door_fields("question", "x"),
    )
    assert status == 200


def _staff_with_second_factor(app, name: str) -> tuple[str, str]:
    """A coordinator with TOTP switched on; returns the e-mail and one recovery code."""
    email = f"{name.lower()}@fjc.example"
    with app.app_context(), db.writing() as session:
        staff = create_staff(
            session, email=email, name=name, role="coordinator", password=TEST_PASSWORD
        )
        two_factor.begin_enrolment(staff)
        staff.totp_confirmed_at = clock.now()
        codes = two_factor.new_recovery_codes(session, staff)
    return email, codes[0]


def _sign_in(browser: Browser, email: str, recovery_code: str) -> None:
    token = browser.csrf_token("/staff/login")
    status, _ = browser.post(
        "/staff/login", {"csrf_token": token, "email": email, "password": TEST_PASSWORD}
    )
    assert status == 302
    token = browser.csrf_token("/staff/login/code")
    status, _ = browser.post("/staff/login/code", {"csrf_token": token, "code": recovery_code})
    assert status == 302
    status, body = browser.get("/staff/")
    assert status == 200 and "/staff/logout" in body


def test_two_people_on_two_instances_cannot_both_take_a_request(
    start_server, redis_url, app_factory
):
    app = app_factory()
    servers = [start_server(workers=2, redis_url=redis_url) for _ in range(2)]
    with app.app_context(), db.writing() as session:
        intake_ids = []
        for n in range(CLAIMED_REQUESTS):
            intake, _code = submit(
                session,
                Submission(
                    kind=IntakeKind.CONTACT,
                    language="nl",
                    contact=SafeContact(email=f"claim{n}@example.be"),
                ),
            )
            session.flush()
            intake_ids.append(intake.id)

    staff = []
    for n, name in enumerate(("Anna", "Bram")):
        email, code = _staff_with_second_factor(app, name)
        browser = Browser(servers[n].port, client_address=f"203.0.113.{20 + n}")
        _sign_in(browser, email, code)
        _status, page = browser.get(f"/staff/intakes/{intake_ids[0]}")
        staff.append((browser, CSRF_RE.search(page).group(1)))

    def _claim(browser: Browser, token: str, intake_id: int, start: threading.Barrier) -> int:
        start.wait(10)
        status, _ = browser.post(f"/staff/intakes/{intake_id}/claim", {"csrf_token": token})
        return status

    with ThreadPoolExecutor(max_workers=2) as pool:
        for intake_id in intake_ids:
            start = threading.Barrier(2)
            results = [pool.submit(_claim, b, t, intake_id, start) for b, t in staff]
            assert [r.result(timeout=30) for r in results] == [303, 303]

    with app.app_context():
        session = db.session
        names = dict(session.execute(select(Staff.id, Staff.name)).all())
        holders = session.scalars(select(Intake.assigned_to_id).where(Intake.id.in_(intake_ids)))
        assert all(names.get(holder) in ("Anna", "Bram") for holder in holders)
        for intake_id in intake_ids:
            claimed = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "intake.claimed", AuditEvent.target_id == intake_id)
            )
            changes = session.scalar(
                select(func.count())
                .select_from(IntakeStatusChange)
                .where(IntakeStatusChange.intake_id == intake_id)
            )
            assert (claimed, changes) == (1, 1), f"request {intake_id}"
        session.rollback()
