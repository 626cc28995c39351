"""SIGKILL in the middle of a burst, on a throwaway PostgreSQL with Redis: of
gunicorn workers (the master starts new ones), and of the PostgreSQL
postmaster itself, which then starts again and recovers from its WAL, as its
supervisor would start it.

Every acknowledged request survives, exactly once and whole. A request the
killed worker was holding may break off without an answer; the person sends
it again, and it is stored once. The database's crash recovery keeps every
committed request, and the same gunicorn serves again without a restart.
"""

from __future__ import annotations

import os
import secrets
import signal
import time

import pytest

from tests.faults.conftest import (
    Burst,
    assert_calm,
    assert_recovers,
    check_everyone_answered,
    check_stored_once,
    failures,
    summary,
    wait_until,
)
from tests.stored import stored_requests

pytestmark = [pytest.mark.xdist_group("faults"), pytest.mark.usefixtures("real_time")]

TOTAL = 150
WORKERS = 4  # shared_service (tests/faults/conftest.py)


def _kill_a_worker(server, killed: list[int]) -> None:
    workers = [pid for pid in server.worker_pids() if pid not in killed]
    assert workers, "gunicorn has no worker to kill"
    os.kill(workers[0], signal.SIGKILL)
    killed.append(workers[0])


def _check(service, visitors, run, *, allow_broken: bool) -> None:
    assert_calm(failures(visitors), allow_broken=allow_broken)
    stored = stored_requests(service.app, run)
    check_stored_once(visitors, stored)
    check_everyone_answered(visitors, stored)


def test_killing_workers_mid_burst_loses_no_acknowledged_request(service):
    server = service.server
    run = f"kw-{secrets.token_hex(3)}"
    killed: list[int] = []
    with Burst(server.port, run, total=TOTAL).start() as burst:
        for threshold in (TOTAL // 3, 2 * TOTAL // 3):
            assert burst.wait_answered(threshold), server.log_tail()
            _kill_a_worker(server, killed)
        visitors = burst.finish()

    def _replaced() -> bool:
        alive = [pid for pid in server.worker_pids() if pid not in killed]
        return len(alive) == WORKERS

    assert wait_until(_replaced, 30), server.log_tail()
    _check(service, visitors, run, allow_broken=True)
    assert_recovers(server, None, run)
    print(f"\nSIGKILL of {len(killed)} workers: {summary(visitors)}")


def test_killing_the_postmaster_then_crash_recovery_keeps_every_acknowledged_request(service):
    postgres, server = service.postgres, service.server
    workers = set(server.worker_pids())
    run = f"kp-{secrets.token_hex(3)}"
    with Burst(server.port, run, total=TOTAL).start() as burst:
        assert burst.wait_answered(TOTAL // 3), server.log_tail()
        log_start = postgres.log_path.stat().st_size
        postgres.kill()
        killed_at = time.monotonic()
        postgres.start()
        restarted_in = time.monotonic() - killed_at
        recovered_in = assert_recovers(server, workers, run)
        visitors = burst.finish()

    log = postgres.log_path.read_bytes()[log_start:].decode("utf-8", "replace")
    assert "automatic recovery in progress" in log, f"no crash recovery:\n{log[-2000:]}"
    # The workers were not killed: every failure is a page, none a broken connection.
    _check(service, visitors, run, allow_broken=False)
    print(
        f"\nSIGKILL of the postmaster: {summary(visitors)}; PostgreSQL back in "
        f"{restarted_in:.1f} s, gunicorn serving {recovered_in:.1f} s later"
    )
