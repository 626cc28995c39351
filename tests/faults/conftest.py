"""Fixtures and load helpers for fault-injection tests: real gunicorn (production
settings) on a throwaway PostgreSQL and a throwaway Redis that the tests stop,
kill and restart (tests/faults/services.py).

The load is people sending the three doors' forms from many threads. A person
whose send fails (an error page, a broken connection) presses send again with
the same form, as the error page asks; so every visitor ends with a return code
or with "already sent", and the test can check that each request is stored
exactly once, whole, and that every acknowledgement was stored.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.support import Translations

from bench.serving import (
    CSRF_RE,
    DOORS,
    GUNICORN_CONFIG,
    RETURN_CODE_RE,
    Browser,
    Server,
    children,
    door_fields,
    free_port,
    production_env,
    request,
)
from core.infra.config import PROJECT_ROOT
from core.infra.db import Sessions, make_engine, write_transaction
from core.infra.migrations import upgrade
from core.network.centres import ensure_default_centre
from tests.conftest import TEST_DATA_KEY, UNDER_CI, make_test_app, real_clock_now
from tests.faults.services import (
    PostgresCluster,
    RedisServer,
    Tmpfs,
    copy_cluster,
    missing_binaries,
    scratch_dir,
    wait_until,
)
from tests.stored import Stored
from tests.stored import check_stored_once as stored_once
from web.db import db

# Half the visitors use the French pages: an error page must stay in French.
LANGUAGES = ("en", "fr")
BROKEN = (OSError, http.client.HTTPException)
# How long a person waits before pressing send again, and for how long she tries.
RETRY_PAUSE = 0.4
PATIENCE = 40.0
# A part that comes back must serve again within this many seconds.
RECOVERY_SECONDS = 5.0


def _translations(language: str) -> Translations:
    return Translations.load(str(PROJECT_ROOT / "translations"), [language])


def in_language(language: str, text: str) -> str:
    return text if language == "en" else _translations(language).gettext(text)


ALREADY_SENT = {lang: in_language(lang, "Your message was already sent") for lang in LANGUAGES}
GIVEN_AGAIN = {
    lang: in_language(lang, "You sent this form before. We did not store it twice.")
    for lang in LANGUAGES
}
# What the error page says for a server error and for a database that is away.
OUR_FAULT = {
    lang: in_language(lang, "This is our fault. Please try again in a few minutes.")
    for lang in LANGUAGES
}
SUBMISSION_ID_RE = re.compile(r'name="submission_id" type="hidden" value="([^"]+)"')


def require(problem: str | None, what: str) -> None:
    """Skip with the reason locally; under CI (CI=true) a missing piece fails."""
    if problem is None:
        return
    message = f"{what}: {problem}"
    if UNDER_CI:
        pytest.fail(f"CI needs this: {message}")
    pytest.skip(message)


@pytest.fixture
def real_time(clock):
    """gunicorn's processes read the real clock; rows this process writes for
    them (a staff account, its codes) must be dated the same way. (Modules use
    it with pytest.mark.usefixtures: the other tests here keep their clock.)"""
    clock.current = real_clock_now()


@pytest.fixture(scope="session")
def services() -> None:
    require(missing_binaries(), "cannot start a throwaway PostgreSQL and Redis")


@pytest.fixture(scope="session")
def pg_template(services) -> Iterator[Path]:
    """A stopped cluster, migrated, with the centre: each test starts a copy,
    which takes a fraction of a second instead of initdb and the migrations."""
    root = scratch_dir("fjc-faults-template-")
    try:
        yield _migrated_cluster(root / "data", root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _migrated_cluster(data: Path, root: Path) -> Path:
    PostgresCluster.initdb(data, root / "initdb.log")
    cluster = PostgresCluster(data, root / "postgres.log")
    try:
        cluster.start()
        engine = make_engine(cluster.url)
        upgrade(engine)
        with write_transaction(Sessions(engine)) as session:
            ensure_default_centre(session)
        engine.dispose()
    finally:
        cluster.close()
    return data


# The factories below are module-scoped: a module's tests share one cluster,
# Redis and gunicorn (each start costs seconds on two cores), and every test
# makes sure they run again at its start (the `service` fixture).


@pytest.fixture(scope="module")
def make_postgres(pg_template) -> Iterator[Callable[..., PostgresCluster]]:
    """make_postgres(data_dir=None, separate_wal=False) -> a started copy of the
    template (in `data_dir`, its WAL elsewhere when `separate_wal`); every one is
    stopped and removed at the end, whatever state it is in."""
    made: list[tuple[PostgresCluster, Path]] = []

    def _make(data_dir: Path | None = None, *, separate_wal: bool = False) -> PostgresCluster:
        root = scratch_dir("fjc-faults-pg-")
        target = data_dir or root / "data"
        copy_cluster(pg_template, target, wal_dir=root / "wal" if separate_wal else None)
        cluster = PostgresCluster(target, root / "postgres.log")
        made.append((cluster, root))
        cluster.start()
        return cluster

    yield _make
    for cluster, root in reversed(made):
        cluster.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def make_redis(services) -> Iterator[Callable[[], RedisServer]]:
    made: list[tuple[RedisServer, Path]] = []

    def _make() -> RedisServer:
        root = scratch_dir("fjc-faults-redis-")
        server = RedisServer(root, root / "redis.log")
        made.append((server, root))
        server.start()
        return server

    yield _make
    for server, root in reversed(made):
        server.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def tmpfs() -> Iterator[Callable[[int], Tmpfs]]:
    """tmpfs(size_mib) -> a mounted tmpfs; all are unmounted at the end (request
    it before make_postgres, so that the servers on it stop first)."""
    mounted: list[tuple[Tmpfs, Path]] = []

    def _mount(size_mib: int) -> Tmpfs:
        root = scratch_dir("fjc-faults-tmpfs-")
        disk = Tmpfs(root / "disk", size_mib)
        mounted.append((disk, root))
        require(disk.mount(), "cannot mount a tmpfs to fill (needs root)")
        return disk

    yield _mount
    for disk, root in reversed(mounted):
        disk.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def start_gunicorn(tmp_path_factory) -> Iterator[Callable[..., Server]]:
    """start_gunicorn(database_url, redis_url=None, workers=4, **env) -> a running
    production gunicorn; every one is stopped at the end."""
    started: list[Server] = []
    logs = tmp_path_factory.mktemp("gunicorn")

    def _start(
        database_url: str, *, redis_url: str | None = None, workers: int = 4, **env: str
    ) -> Server:
        settings = production_env(database_url, TEST_DATA_KEY, redis_url=redis_url)
        # The load comes from a few hundred made-up visitors who press send
        # again on every error; tests/faults/test_redis_down.py checks the limits.
        settings["FJC_RATELIMIT_ENABLED"] = "false"
        settings.update(env)
        log_path = logs / f"gunicorn{len(started)}.log"
        server = Server(settings, workers=workers, log_path=log_path)
        started.append(server)
        return server

    yield _start
    for server in started:
        stop_gunicorn(server)


def stop_gunicorn(server: Server) -> None:
    """SIGKILL, master first (so it starts no new workers), then its workers:
    gunicorn's own shutdown takes seconds here, and nothing is left to save."""
    workers = server.worker_pids()
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait(timeout=15)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.stop()  # kills what is left, closes the log


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> Iterator[Callable[..., object]]:
    """reader(database_url, **overrides) -> an app of this process that reads
    the stored requests back; its engines are closed at the end."""
    made = []
    root = tmp_path_factory.mktemp("reader")

    def _make(database_url: str, **overrides):
        app = make_test_app(database_url, root / f"reader{len(made)}", **overrides)
        made.append(app)
        return app

    yield _make
    for app in made:
        with app.app_context():
            db.get_engine().dispose()


@dataclass
class Service:
    """What a module shares: a throwaway PostgreSQL and Redis, and a production
    gunicorn on them."""

    postgres: PostgresCluster
    redis: RedisServer
    server: Server
    app: object  # reads the stored requests back

    def ensure_running(self) -> None:
        """Bring back a part an earlier (failed) test left down."""
        if not self.postgres.running:
            self.postgres.start()
        if not self.redis.running:
            self.redis.start()
        assert self.server.process.poll() is None, "gunicorn is gone:\n" + self.server.log_tail()


@pytest.fixture(scope="module")
def shared_service(make_postgres, make_redis, start_gunicorn, reader) -> Service:
    postgres, redis = make_postgres(), make_redis()
    server = start_gunicorn(postgres.url, redis_url=redis.url, workers=4)
    return Service(postgres, redis, server, reader(postgres.url))


@pytest.fixture
def service(shared_service) -> Service:
    shared_service.ensure_running()
    return shared_service


# -- the visitors -------------------------------------------------------------


@dataclass
class Attempt:
    """One answer a visitor got that was not her return code."""

    path: str
    lang: str
    status: int | None  # None: no answer (connection refused or broken)
    body: str


@dataclass
class Visitor:
    """One person: her door, her language, her form; she sends until answered."""

    port: int
    marker: str
    door: str
    lang: str
    address: str
    browser: Browser = field(init=False)
    token: str | None = None
    submission_id: str | None = None
    acknowledged: bool = False
    already_sent: bool = False
    given_again: bool = False  # her code was lost, and the portal gave a new one
    return_code: str | None = None
    failures: list[Attempt] = field(default_factory=list)

    def __post_init__(self):
        self.browser = Browser(self.port, client_address=self.address)

    @property
    def path(self) -> str:
        return f"/{self.lang}/{self.door}"

    @property
    def done(self) -> bool:
        return self.acknowledged or self.already_sent

    def _failed(self, status: int | None, body: str) -> bool:
        self.failures.append(Attempt(self.path, self.lang, status, body))
        return False

    def attempt(self) -> bool:
        """One try: fetch the form if she has none yet, then send it. True when done."""
        try:
            if self.token is None:
                status, body = self.browser.get(self.path)
                token = CSRF_RE.search(body) if status == 200 else None
                submission = SUBMISSION_ID_RE.search(body) if status == 200 else None
                if token is None or submission is None:
                    return self._failed(status, body)
                self.token, self.submission_id = token.group(1), submission.group(1)
            # The same form every time: the same submission id and CSRF token.
            fields = {"csrf_token": self.token, "submission_id": self.submission_id}
            fields |= door_fields(self.door, self.marker)
            status, body = self.browser.post(self.path, fields)
        except BROKEN:
            # Refused, or cut off mid-answer: she saw no return code.
            return self._failed(None, "")
        code = RETURN_CODE_RE.search(body) if status == 200 else None
        if code:
            self.acknowledged, self.return_code = True, code.group(1)
            self.given_again = GIVEN_AGAIN[self.lang] in html.unescape(body)
        elif status == 200 and ALREADY_SENT[self.lang] in html.unescape(body):
            self.already_sent = True
        else:
            return self._failed(status, body)
        return True


def new_visitor(port: int, run: str, n: int) -> Visitor:
    return Visitor(
        port,
        marker=f"{run}-{n:04d}",
        door=DOORS[n % len(DOORS)],
        lang=LANGUAGES[(n // len(DOORS)) % len(LANGUAGES)],
        address=f"198.51.{100 + n // 250}.{n % 250 + 1}",
    )


class Burst:
    """`total` visitors, `threads` at a time; each tries until she is answered.

    Used as `with Burst(...).start() as burst:`; the test injects its fault
    meanwhile, timing it with wait_answered(); finish() waits for every
    visitor. Leaving the block early (a failed assertion) stops the visitors."""

    def __init__(self, port: int, run: str, *, total: int = 120, threads: int = 16):
        self.visitors = [new_visitor(port, run, n) for n in range(total)]
        self._pool = ThreadPoolExecutor(max_workers=threads)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._answered_at: list[float] = []
        self._futures = []

    def _serve(self, visitor: Visitor) -> None:
        deadline = time.monotonic() + PATIENCE
        while not self._stop.is_set() and not visitor.attempt():
            if time.monotonic() > deadline or self._stop.wait(RETRY_PAUSE):
                return
        if visitor.done:
            with self._lock:
                self._answered_at.append(time.monotonic())

    def start(self) -> Burst:
        self._futures = [self._pool.submit(self._serve, v) for v in self.visitors]
        return self

    def __enter__(self) -> Burst:
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def answered(self, since: float = 0.0) -> int:
        """How many visitors were answered (a code or "already sent") after `since`."""
        with self._lock:
            return sum(moment > since for moment in self._answered_at)

    def wait_answered(self, count: int, *, since: float = 0.0, timeout: float = 60) -> bool:
        return bool(wait_until(lambda: self.answered(since) >= count, timeout))

    def finish(self, timeout: float = PATIENCE + 30) -> list[Visitor]:
        for future in self._futures:
            future.result(timeout=timeout)
        return self.visitors


# -- what the pages and the database say ---------------------------------------


def assert_calm(attempts: list[Attempt], *, allow_broken: bool = False) -> None:
    """Every failure was the app's own error page, in the page's language."""
    for attempt in attempts:
        where = f"{attempt.path} answered {attempt.status}"
        if attempt.status is None:
            assert allow_broken, f"{attempt.path}: no answer at all (connection refused or cut)"
            continue
        assert attempt.status in (500, 503), f"{where}:\n{attempt.body[:400]}"
        assert f'<html lang="{attempt.lang}"' in attempt.body, f"{where}: not in {attempt.lang}"
        assert OUR_FAULT[attempt.lang] in html.unescape(attempt.body), f"{where}: not our page"
        assert "Traceback" not in attempt.body, f"{where}: shows a traceback"
        assert "Internal Server Error" not in attempt.body, f"{where}: werkzeug's default page"


def failures(visitors: list[Visitor]) -> list[Attempt]:
    return [attempt for visitor in visitors for attempt in visitor.failures]


def check_stored_once(visitors: list[Visitor], stored: dict[str, list[Stored]]) -> None:
    """Every acknowledged request is stored, each exactly once and whole."""
    doors = {visitor.marker: visitor.door for visitor in visitors}
    acknowledged = {visitor.marker for visitor in visitors if visitor.acknowledged}
    stored_once(doors, acknowledged, stored)


def check_everyone_answered(visitors: list[Visitor], stored: dict[str, list[Stored]]) -> None:
    """After the fault everyone got through by sending again, and is stored once."""
    waiting = [v.marker for v in visitors if not v.done]
    assert not waiting, f"{len(waiting)} visitors never got an answer: {waiting[:5]}"
    missing = [v.marker for v in visitors if v.marker not in stored]
    assert not missing, f"answered but not stored: {missing[:5]}"


def summary(visitors: list[Visitor]) -> str:
    attempts = failures(visitors)
    already = sum(v.already_sent for v in visitors)
    again = sum(v.given_again for v in visitors)
    broken = sum(a.status is None for a in attempts)
    return (
        f"{len(visitors)} visitors, {sum(v.acknowledged for v in visitors)} with a code "
        f"({again} given again), {already} 'already sent' without a code (both: stored by "
        f"an attempt that showed no code), {len(attempts)} failed attempts "
        f"({broken} without an answer)"
    )


def healthz(port: int) -> tuple[int | None, dict]:
    try:
        status, _headers, body = request(port, "GET", "/healthz", timeout=5)
    except BROKEN:
        return None, {}
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"body": body[:200]}


def open_mailbox(port: int, return_code: str, *, lang: str = "fr") -> str:
    """The mailbox page a return code opens (portal/views/mailbox.py)."""
    browser = Browser(port, client_address="203.0.113.41")
    status, page = browser.get(f"/{lang}/return")
    assert status == 200, page[:400]
    token = CSRF_RE.search(page).group(1)
    status, body = browser.post(f"/{lang}/return", {"csrf_token": token, "code": return_code})
    assert status == 303, f"{status}: {body[:400]}"
    status, page = browser.get(f"/{lang}/return")
    assert status == 200, page[:400]
    return page


def assert_recovers(
    server: Server, workers: set[int] | None, run: str, within: float = RECOVERY_SECONDS
) -> float:
    """The same gunicorn answers /healthz 200 within `within` seconds and then
    takes a submission within RECOVERY_SECONDS; returns how long that took.
    `workers`: the worker pids that must still be the ones serving (None after
    SIGKILLs of workers)."""
    started = time.monotonic()
    healthy = wait_until(lambda: healthz(server.port)[0] == 200, within, 0.1)
    assert healthy, f"/healthz is {healthz(server.port)} after {within} s"
    # Its marker is not the run's: the run's checks count only the burst's visitors.
    probe = new_visitor(server.port, f"probe-{run}", 0)
    probe.lang = "fr"
    accepted = wait_until(probe.attempt, RECOVERY_SECONDS, 0.2)
    assert accepted and probe.acknowledged, f"no submission accepted: {probe.failures[-1:]}"
    elapsed = time.monotonic() - started
    assert server.process.poll() is None, "the gunicorn master is gone"
    if workers is not None:
        assert set(server.worker_pids()) == workers, "gunicorn replaced its workers"
    return elapsed


# -- a gunicorn that is expected to stop by itself -----------------------------


@dataclass
class Exited:
    returncode: int | None  # None: still running after the wait (then killed)
    log: str
    boots: int  # "Booting worker" lines: more than the workers means restarts
    listening: bool  # whether its port still took connections afterwards


def gunicorn_until_exit(
    env: dict[str, str], log_path: Path, *, workers: int = 4, timeout: float = 30
) -> Exited:
    """Start gunicorn as bench.serving.Server does and wait for it to exit by
    itself. A master that starts new workers again and again is stopped early:
    a configuration error must stop it, not keep it looping."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("FJC_")}
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG)]
    command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "wsgi:app"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            command, cwd=PROJECT_ROOT, env={**inherited, **env}, stdout=log, stderr=log
        )
        try:
            wait_until(
                lambda: process.poll() is not None or _boots(log_path) > 2 * workers, timeout
            )
            returncode = process.poll()
        finally:
            _end(process)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return Exited(returncode, text, _boots(log_path), _listening(port))


def _end(process: subprocess.Popen) -> None:
    """Kill a gunicorn that did not stop by itself, and any worker it left."""
    workers = children(process.pid)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=15)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _boots(log_path: Path) -> int:
    return log_path.read_text(encoding="utf-8", errors="replace").count("Booting worker")


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
