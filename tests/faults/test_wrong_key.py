"""gunicorn started on a database that holds requests, with the wrong keys or a
broken configuration.

A different but valid Fernet key in FJC_DATA_KEYS would take requests the team
can never read, so the app refuses to start (core.governance.key_check). The
gunicorn master builds the app once before any worker (gunicorn.conf.py,
on_starting) and stops with status 3 instead of starting workers forever,
with one line for the operator and no traceback. With the new key first and
the old one after it, the same database starts and its old requests read.
Any configuration error stops it the same way.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet

from bench.serving import production_env
from core.intake import return_codes
from core.intake.intakes import Submission, submit
from core.model import IntakeKind
from tests.conftest import TEST_DATA_KEY
from tests.faults.conftest import (
    Exited,
    gunicorn_until_exit,
    new_visitor,
    open_mailbox,
)
from tests.stored import stored_requests
from web.db import db

pytestmark = [pytest.mark.xdist_group("faults"), pytest.mark.usefixtures("real_time")]

OLD_KEY = TEST_DATA_KEY  # what start_gunicorn's servers use
PRODUCTION_AUDIT_KEY = production_env("sqlite://", OLD_KEY, redis_url=None)["FJC_AUDIT_KEY"]
NEW_KEY = Fernet.generate_key().decode("ascii")
# The status that stops gunicorn (its Arbiter.WORKER_BOOT_ERROR); ours, from on_starting.
WORKER_BOOT_ERROR = 3
CONFIG_ERROR = "FJC configuration error:"


@dataclass
class Written:
    marker: str
    return_code: str


@pytest.fixture(scope="module")
def old_database(make_postgres, reader):
    """A database in use under the old key: its canary sealed as a production
    start seals it, and requests written as the portal writes them."""
    postgres = make_postgres()
    run = f"wk-{secrets.token_hex(3)}"
    app = reader(postgres.url, FJC_CHECK_KEYS=True, FJC_AUDIT_KEY=[PRODUCTION_AUDIT_KEY])
    written = []
    with app.app_context(), db.writing() as session:
        for n in range(3):
            marker = f"{run}-{n:04d}"
            _intake, code = submit(
                session, Submission(kind=IntakeKind.QUESTION, language="fr", story=marker)
            )
            written.append(Written(marker, return_codes.display(code)))
    return postgres, run, written


def _assert_stopped_with_one_line(exited: Exited, names: str) -> None:
    tail = "\n".join(exited.log.splitlines()[-25:])
    assert exited.returncode is not None, (
        f"gunicorn did not stop: {exited.boots} workers booted (it restarts them)\n{tail}"
    )
    assert exited.returncode == WORKER_BOOT_ERROR, f"exit status {exited.returncode}\n{tail}"
    lines = [line for line in exited.log.splitlines() if line.startswith(CONFIG_ERROR)]
    assert lines, f"no line starting with {CONFIG_ERROR!r}\n{tail}"
    # The master says it once, before any worker boots.
    assert len(lines) == 1 and exited.boots == 0, (lines, exited.boots)
    assert names in lines[0], lines[0]
    assert "Traceback" not in exited.log, tail
    assert not exited.listening, "the port still takes connections"


def test_a_different_data_key_stops_gunicorn_with_status_3(old_database, tmp_path):
    postgres, _run, _visitors = old_database
    env = production_env(postgres.url, NEW_KEY, redis_url=None)
    exited = gunicorn_until_exit(env, tmp_path / "wrong-key.log", workers=3)
    _assert_stopped_with_one_line(exited, "FJC_DATA_KEYS")


def test_the_new_key_before_the_old_one_starts_and_reads_the_old_requests(
    old_database, start_gunicorn, reader
):
    postgres, run, written = old_database
    server = start_gunicorn(postgres.url, workers=3, FJC_DATA_KEYS=f"{NEW_KEY},{OLD_KEY}")
    for old in written:
        assert old.marker in open_mailbox(server.port, old.return_code), old.marker
    newer = new_visitor(server.port, run, len(written))
    assert newer.attempt() and newer.acknowledged, newer.failures[-1:]
    stored = stored_requests(reader(postgres.url, FJC_DATA_KEYS=[NEW_KEY, OLD_KEY]), run)
    assert sorted(stored) == sorted([*(old.marker for old in written), newer.marker])


def test_a_configuration_error_stops_gunicorn_with_status_3(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'fjc.sqlite3'}", OLD_KEY, redis_url=None)
    del env["FJC_SECRET_KEY"]
    exited = gunicorn_until_exit(env, tmp_path / "no-secret.log", workers=3)
    _assert_stopped_with_one_line(exited, "FJC_SECRET_KEY")
