"""PostgreSQL restarts in the middle of a burst of submissions to 4 production
gunicorn workers: once at once (fast shutdown, start), once after 3 s down.

Every acknowledged request is stored exactly once and whole; while the
database is away the pages that fail are the calm error page in the page's
language; people who press send again get through once it is back; and the
same gunicorn master and workers serve again within a few seconds, without
being restarted.
"""

from __future__ import annotations

import secrets
import time

import pytest

from tests.faults.conftest import (
    Burst,
    assert_calm,
    assert_recovers,
    check_everyone_answered,
    check_stored_once,
    failures,
    healthz,
    summary,
)
from tests.stored import stored_requests

pytestmark = [pytest.mark.xdist_group("faults"), pytest.mark.usefixtures("real_time")]

# Answered requests before the fault, and after it, so that it hits a busy service.
BEFORE, AFTER = 40, 20


def _restart_under_load(service, *, down_seconds: float):
    postgres, server = service.postgres, service.server
    workers = set(server.worker_pids())
    run = f"pgr-{secrets.token_hex(3)}"
    with Burst(server.port, run).start() as burst:
        assert burst.wait_answered(BEFORE), server.log_tail()
        postgres.stop()
        if down_seconds:
            down_until = time.monotonic() + down_seconds
            status, body = healthz(server.port)
            assert (status, body.get("database")) == (503, "unreachable"), body
            time.sleep(max(0.0, down_until - time.monotonic()))
        postgres.start()
        back = time.monotonic()
        recovered_in = assert_recovers(server, workers, run)
        assert burst.wait_answered(AFTER, since=back), f"{summary(burst.visitors)}"
        visitors = burst.finish()

    assert_calm(failures(visitors))
    stored = stored_requests(service.app, run)
    check_stored_once(visitors, stored)
    check_everyone_answered(visitors, stored)
    print(
        f"\nPostgreSQL down {down_seconds} s: {summary(visitors)}; served in {recovered_in:.1f} s"
    )
    return visitors


def test_a_fast_restart_mid_burst_loses_no_acknowledged_request(service):
    _restart_under_load(service, down_seconds=0)


def test_three_seconds_down_gives_calm_pages_then_everyone_gets_through(service):
    visitors = _restart_under_load(service, down_seconds=3)
    assert failures(visitors), "no request failed: the database was not really down"
    assert {attempt.lang for attempt in failures(visitors)} == {"en", "fr"}
