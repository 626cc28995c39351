"""No acknowledged request is lost: hundreds of submissions at once to 4 real
gunicorn workers (production settings), on SQLite and on PostgreSQL, and again
while workers are killed with SIGKILL in the middle of the load.

"Acknowledged" means the person saw a return code (200 with the code). Every
such request must be stored exactly once, whole: an intake of the right door,
every encrypted field readable, and for door 3 its referral row. A request
whose connection broke may or may not be stored (the person was not told it
was), but never twice and never in part.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.serving import DOORS, RETURN_CODE_RE, Browser, door_fields
from tests.stored import check_stored_once, stored_requests

SUBMISSIONS = 300


@dataclass
class Outcome:
    marker: str
    door: str
    status: int | None  # None: no answer (connection refused or broken)
    acknowledged: bool


def _prepare(port: int, n: int, run: str) -> tuple[Browser, str, str, str]:
    door = DOORS[n % len(DOORS)]
    browser = Browser(port, client_address=f"198.51.100.{n % 250 + 1}")
    return browser, door, f"{run}-{n:04d}", browser.csrf_token(f"/en/{door}")


BROKEN = (OSError, http.client.HTTPException)


def _post(browser: Browser, door: str, marker: str, token: str) -> Outcome:
    fields = {"csrf_token": token, "submission_id": f"sid-{marker}", **door_fields(door, marker)}
    try:
        status, body = browser.post(f"/en/{door}", fields)
    except BROKEN:
        # A refused connection or an answer cut off mid-body (the worker was
        # killed while sending it): the person saw no return code, so it is
        # not an acknowledgement.
        return Outcome(marker, door, None, False)
    return Outcome(marker, door, status, status == 200 and bool(RETURN_CODE_RE.search(body)))


def _visit(port: int, n: int, run: str) -> Outcome:
    """One visitor: fetch the form, send it."""
    try:
        browser, door, marker, token = _prepare(port, n, run)
    except (*BROKEN, RuntimeError):
        return Outcome(f"{run}-{n:04d}", DOORS[n % len(DOORS)], None, False)
    return _post(browser, door, marker, token)


def _check(outcomes: list[Outcome], stored, run: str) -> None:
    server_errors = [o for o in outcomes if o.status is not None and o.status >= 500]
    assert not server_errors, f"{len(server_errors)} answers with 5xx: {server_errors[:3]}"
    unexpected = [o for o in outcomes if o.status not in (None, 200)]
    assert not unexpected, f"answers other than 200: {unexpected[:3]}"
    doors = {outcome.marker: outcome.door for outcome in outcomes}
    check_stored_once(doors, {o.marker for o in outcomes if o.acknowledged}, stored)


def test_hundreds_of_simultaneous_submissions_are_each_stored_once(start_server, app_factory):
    app = app_factory()  # reads the database afterwards, and empties it at the end
    server = start_server(workers=4, FJC_RATELIMIT_ENABLED="false")
    run = f"zl-{secrets.token_hex(3)}"
    with ThreadPoolExecutor(max_workers=32) as pool:
        prepared = list(pool.map(lambda n: _prepare(server.port, n, run), range(SUBMISSIONS)))
    # All the forms are sent at the same moment: one thread each, released together.
    go = threading.Event()

    def _fire(visitor):
        go.wait(30)
        return _post(*visitor)

    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        futures = [pool.submit(_fire, visitor) for visitor in prepared]
        go.set()
        outcomes = [future.result(timeout=120) for future in futures]

    acknowledged = sum(o.acknowledged for o in outcomes)
    assert acknowledged == SUBMISSIONS, (
        f"{acknowledged} of {SUBMISSIONS} acknowledged: "
        f"{[o for o in outcomes if not o.acknowledged][:3]}\n{server.log_tail()}"
    )
    stored = stored_requests(app, run)
    _check(outcomes, stored, run)
    assert len(stored) == SUBMISSIONS


def test_killing_workers_mid_load_loses_no_acknowledged_request(start_server, app_factory):
    app = app_factory()
    server = start_server(workers=4, FJC_RATELIMIT_ENABLED="false")
    run = f"kill-{secrets.token_hex(3)}"
    done = [0]
    lock = threading.Lock()

    def _counted(n: int) -> Outcome:
        outcome = _visit(server.port, n, run)
        with lock:
            done[0] += 1
        return outcome

    killed: list[int] = []
    with ThreadPoolExecutor(max_workers=24) as pool:
        futures = [pool.submit(_counted, n) for n in range(SUBMISSIONS)]
        # Kill a busy worker at a third and at two thirds of the load.
        for threshold in (SUBMISSIONS // 3, 2 * SUBMISSIONS // 3):
            deadline = time.monotonic() + 60
            while done[0] < threshold and time.monotonic() < deadline:
                time.sleep(0.005)
            workers = [pid for pid in server.worker_pids() if pid not in killed]
            assert workers, "gunicorn has no worker to kill"
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])
        outcomes = [future.result(timeout=120) for future in futures]

    # Gunicorn replaced the killed workers, and the service went on answering.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alive = [pid for pid in server.worker_pids() if pid not in killed]
        if len(alive) == 4:
            break
        time.sleep(0.1)
    assert len(alive) == 4, server.log_tail()
    after_kills = [o for o in outcomes[2 * SUBMISSIONS // 3 + 30 :] if o.acknowledged]
    assert after_kills, "no request was answered after the kills"

    stored = stored_requests(app, run)
    _check(outcomes, stored, run)
    acknowledged = sum(o.acknowledged for o in outcomes)
    broken = sum(o.status is None for o in outcomes)
    # Most requests go through; only those a killed worker was holding may break.
    assert acknowledged >= SUBMISSIONS - 10 * len(killed), (acknowledged, broken)
    print(
        f"\nSIGKILL x{len(killed)}: {acknowledged} acknowledged, {broken} broken connections, "
        f"{len(stored)} stored"
    )
