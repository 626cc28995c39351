"""The database's storage fills up under a running production gunicorn: the
SQLite file, or a PostgreSQL data directory, on a small tmpfs that a junk file
fills to the last page. (PostgreSQL keeps its WAL elsewhere: on a full volume
a new WAL segment or the next checkpoint is a PANIC, a crash that
test_sigkill.py covers; here the server stays up and refuses the writes that
need new space.)

While the disk is full a submission that cannot be written gets the calm
error page, in the page's language, and no return code; whatever was
acknowledged is stored; /healthz answers 503: its check commits a write, and a process that saw a
request refused for want of space says "not writable" for a short while
(PostgreSQL still takes the check's small UPDATE within its page).
Once the junk file is deleted the same gunicorn serves again, and the people
who were refused get through when they send again.
"""

from __future__ import annotations

import secrets

import pytest

from core.infra.db import Sessions, make_engine, write_transaction
from core.infra.health import STORAGE_FULL_MEMORY
from core.infra.migrations import upgrade
from core.network.centres import ensure_default_centre
from tests.faults.conftest import (
    LANGUAGES,
    RECOVERY_SECONDS,
    assert_calm,
    assert_recovers,
    check_stored_once,
    failures,
    healthz,
    new_visitor,
    stop_gunicorn,
    wait_until,
)
from tests.stored import stored_requests

pytestmark = [pytest.mark.xdist_group("faults"), pytest.mark.usefixtures("real_time")]

WORKERS = 3
BEFORE = 6
# Refusals to see while full, in English and in French. Writes that still fit
# in pages the database had allocated before succeed, and are acknowledged.
REFUSALS = 4
MOST_TRIES = 30


def _send_one_by_one(port: int, run: str, numbers) -> list:
    visitors = []
    for n in numbers:
        visitor = new_visitor(port, run, n)
        visitor.attempt()
        visitors.append(visitor)
    return visitors


def _send_until_refused(port: int, run: str) -> list:
    """New visitors while the disk is full, until enough were refused in each language."""
    visitors = []
    for n in range(BEFORE, BEFORE + MOST_TRIES):
        visitors += _send_one_by_one(port, run, [n])
        refused = [v for v in visitors if not v.done]
        if len(refused) >= REFUSALS and {v.lang for v in refused} == set(LANGUAGES):
            break
    return visitors


def _fill_then_free(server, disk, reader_app):
    """The experiment; returns /healthz's answers while the disk was full."""
    port, workers = server.port, set(server.worker_pids())
    run = f"fd-{secrets.token_hex(3)}"
    before = _send_one_by_one(port, run, range(BEFORE))
    assert all(v.acknowledged for v in before), [v.failures[-1:] for v in before]

    junk = disk.fill()
    assert disk.free_bytes() < 64 * 1024, f"{disk.free_bytes()} bytes still free"
    during = _send_until_refused(port, run)
    refused = [v for v in during if not v.done]
    full_health = wait_until(lambda: _unhealthy(port), RECOVERY_SECONDS, 0.2) or healthz(port)
    junk.unlink()

    assert len(refused) >= REFUSALS, f"the full disk refused {len(refused)} of {len(during)}"
    assert not any(v.already_sent for v in during)
    assert_calm(failures(during))
    # A process that saw a write refused for want of space stays out of
    # rotation a little longer (core.infra.health.STORAGE_FULL_MEMORY).
    assert_recovers(server, workers, run, within=STORAGE_FULL_MEMORY.total_seconds() + 5)
    for visitor in refused:  # she sends the same form again
        assert visitor.attempt() and visitor.acknowledged, visitor.failures[-1:]
    everyone = before + during
    stored = stored_requests(reader_app, run)
    check_stored_once(everyone, stored)
    assert sorted(stored) == sorted(v.marker for v in everyone)
    print(
        f"\nfull disk: {len(during) - len(refused)} requests still stored, {len(refused)} "
        f"refused; /healthz while full: {full_health}"
    )
    return full_health


def _unhealthy(port: int):
    status, body = healthz(port)
    return (status, body) if status == 503 else None


def _assert_healthz_refused(full_health) -> None:
    status, body = full_health
    assert status == 503, f"/healthz answered {status} {body} while the disk was full"
    assert body.get("database") == "not writable", body


def test_sqlite_on_a_full_disk(tmpfs, start_gunicorn, reader):
    disk = tmpfs(16)
    url = f"sqlite:///{disk.path / 'fjc.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with write_transaction(Sessions(engine)) as session:
        ensure_default_centre(session)
    engine.dispose()
    server = start_gunicorn(url, workers=WORKERS)
    full_health = _fill_then_free(server, disk, reader(url))
    stop_gunicorn(server)  # its cores and memory are for the next test
    _assert_healthz_refused(full_health)


def test_postgres_with_its_data_directory_on_a_full_disk(
    tmpfs, make_postgres, start_gunicorn, reader
):
    disk = tmpfs(64)
    postgres = make_postgres(disk.path / "data", separate_wal=True)
    server = start_gunicorn(postgres.url, workers=WORKERS)
    full_health = _fill_then_free(server, disk, reader(postgres.url))
    said = [line for line in postgres.log_tail(400).splitlines() if "No space left" in line]
    logged = [line for line in server.log_tail(400).splitlines() if "database error" in line]
    print(f"PostgreSQL said, {len(said)} times: {said[:1]}; gunicorn logged: {logged[:1]}")
    _assert_healthz_refused(full_health)
