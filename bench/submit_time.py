"""Server time of the submissions of bench/load.py, in-process: the three doors
("the three doors (POST)": contact, question, referral, each valid, with its
CSRF token and a new submission id) and the return visit (GET /nl/return, then
POST /nl/return with a return code, answered by a redirect), with the load
benchmark's data and the production settings behind one proxy. As wrk does,
every request carries the cookie of the page the token came from.

Per request: median and p90 server time (ms), the median CPU time of this
process (ms: what the machine's other work disturbs least), on PostgreSQL the
mean CPU time of its server processes for this benchmark's connections (ms,
from /proc, in steps of 10 ms over all the requests), the SQL statements it
runs, and how long it holds its transaction open (first statement to commit,
ms). On SQLite that span holds the one write lock, so the workers together
commit at most 1000 / span requests a second, whatever the number of cores.
The CPU a POST needs (here and in the database) bounds what the load
benchmark's 2 cores can do; HTTP, gunicorn and wrk come on top.
SQLite, and PostgreSQL when FJC_TEST_DATABASE_URL (default: the test database
on 127.0.0.1) answers. `python -m bench.submit_time [--profile]`.
"""

from __future__ import annotations

import contextlib
import cProfile
import itertools
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import event, text

from bench.harness import on_each_backend
from bench.load import _seed
from bench.serving import DOORS, door_fields

REPEAT = 200
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ORIGIN = "https://localhost"
# Names this benchmark's PostgreSQL connections, so their server processes
# can be found (pg_stat_activity) and their CPU time read.
APPLICATION_NAME = "fjc-submit-time"
# The targets of issue 22 with 5 workers (acknowledged submissions a second).
TARGETS = {"SQLite": 300, "PostgreSQL": 400}


def _settings(database_url: str, data_key: str, workdir: Path) -> dict:
    """bench.serving.production_env as overrides (the keys bench.load seeds with)."""
    return {
        "FJC_ENV": "production",
        "FJC_DATABASE_URL": database_url,
        "SECRET_KEY": "submit-time-secret-key-of-this-benchmark",
        "FJC_DATA_KEYS": [data_key],
        "FJC_INDEX_KEY": "test-index-key",
        "FJC_AUDIT_KEY": ["submit-time-audit-key-of-this-benchmark-long-enough"],
        "FJC_PUBLIC_URL": "https://fjc.example",
        "FJC_PROXY_COUNT": 1,
        "FJC_EXIT_URL": "https://exit.example/",
        "RATELIMIT_ENABLED": False,
        "INSTANCE_DIR": str(workdir),
    }


@dataclass
class Watch:
    """The SQL statements of the engine, and how long each transaction stayed open."""

    statements: int = 0
    spans_ms: list[float] = field(default_factory=list)
    _began: float | None = None


@contextmanager
def watching(engine) -> Iterator[Watch]:
    watch = Watch()

    def on_statement(*_args):
        watch.statements += 1

    def on_begin(_conn):
        watch._began = time.perf_counter()

    def on_end(_conn):
        if watch._began is not None:
            watch.spans_ms.append((time.perf_counter() - watch._began) * 1000)
            watch._began = None

    hooks = [
        ("before_cursor_execute", on_statement),
        ("begin", on_begin),
        ("commit", on_end),
        ("rollback", on_end),
    ]
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield watch
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


class Visitor:
    """One browser as wrk replays it: the cookie of the form's page on every
    request, whatever the answers set."""

    def __init__(self, app, address: str):
        self._loader = app.test_client()
        self._client = app.test_client(use_cookies=False)
        self._environ = {
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": address,
        }
        self._loader.environ_base.update(self._environ)
        self.tokens: dict[str, str] = {}
        self.cookie = ""

    def load(self, path: str) -> None:
        page = self._loader.get(path).get_data(as_text=True)
        found = CSRF_RE.search(page)
        assert found, f"no CSRF token on {path}"
        self.tokens[path] = found.group(1)
        self.cookie = "; ".join(f"{c.key}={c.value}" for c in self._loader._cookies.values())

    def get(self, path: str):
        return self._client.get(path, headers={"Cookie": self.cookie}, environ_base=self._environ)

    def post(self, path: str, fields: dict[str, str]):
        return self._client.post(
            path,
            data={"csrf_token": self.tokens[path], **fields},
            headers={"Cookie": self.cookie, "Referer": f"{ORIGIN}{path}"},
            environ_base=self._environ,
        )


def requests(app, codes: list[str]) -> list[tuple[str, Callable[[], None]]]:
    """(label, one request) for each door's POST and the return visit's two."""
    visitor = Visitor(app, "198.51.100.7")
    for door in DOORS:
        visitor.load(f"/nl/{door}")
    visitor.load("/nl/return")
    numbers = itertools.count()
    cycle = itertools.cycle(codes)

    def door_post(door: str) -> Callable[[], None]:
        def send():
            sid = f"bench-{secrets.token_hex(4)}-{next(numbers)}"
            fields = {"submission_id": sid, **door_fields(door, sid)}
            answer = visitor.post(f"/nl/{door}", fields)
            assert answer.status_code == 303, (door, answer.status_code)
            assert answer.headers["Location"].endswith("/nl/sent"), answer.headers["Location"]

        return send

    def return_get():
        answer = visitor.get("/nl/return")
        assert answer.status_code == 200, answer.status_code

    def return_post():
        answer = visitor.post("/nl/return", {"code": next(cycle)})
        assert answer.status_code == 303, answer.status_code
        assert answer.headers["Location"].endswith("/nl/return"), answer.headers["Location"]

    return [
        *((f"POST /nl/{door}", door_post(door)) for door in DOORS),
        ("GET /nl/return", return_get),
        ("POST /nl/return (code)", return_post),
    ]


def database_cpu_s(engine) -> float | None:
    """CPU seconds used so far by the server processes of this benchmark's
    PostgreSQL connections; None on SQLite (it runs in this process)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": APPLICATION_NAME},
        ).scalars()
        total = 0
        for pid in pids:
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Result:
    label: str
    median_ms: float
    p90_ms: float
    cpu_ms: float
    database_cpu_ms: float | None
    statements: float
    open_ms: float  # median time from the first statement to the commit


def measure(app, sends: list[tuple[str, Callable[[], None]]], repeat: int = REPEAT) -> list[Result]:
    """Each (label, one request) of `sends` (as `requests` gives them),
    `repeat` times."""
    from web.db import db

    with app.app_context():
        engine = db.get_engine()
    results = []
    for label, send in sends:
        send()  # warm: first-request work is not what this measures
        samples, cpu = [], []
        database_before = database_cpu_s(engine)
        with watching(engine) as watch:
            for _ in range(repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                send()
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        database_after = database_cpu_s(engine)
        database_ms = (
            (database_after - database_before) * 1000 / repeat
            if database_before is not None and database_after is not None
            else None
        )
        samples.sort()
        results.append(
            Result(
                label,
                statistics.median(samples),
                samples[int(len(samples) * 0.9) - 1],
                statistics.median(cpu),
                database_ms,
                watch.statements / repeat,
                statistics.median(watch.spans_ms) if watch.spans_ms else 0.0,
            )
        )
    return results


def profile(app, codes: list[str], repeat: int = REPEAT, top: int = 40) -> None:
    sends = [send for label, send in requests(app, codes) if label.startswith("POST")]
    for send in sends:
        send()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        for send in sends:
            send()
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def _maybe(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def run_backend(name: str, database_url: str, workdir: Path, *, with_profile: bool) -> None:
    from app import create_app
    from web.db import db

    data_key = Fernet.generate_key().decode()
    codes, _ids, _recovery = _seed(database_url, data_key, workdir)
    app = create_app(_settings(database_url, data_key, workdir))
    print(f"\nsubmissions on {name}, in-process, median and p90 of {REPEAT} requests")
    print(
        f"  {'request':<26}{'median ms':>10}{'p90 ms':>8}{'CPU ms':>8}{'DB CPU':>8}"
        f"{'SQL':>6}{'open ms':>9}"
    )
    results = measure(app, requests(app, codes))
    for r in results:
        print(
            f"  {r.label:<26}{r.median_ms:>10.2f}{r.p90_ms:>8.2f}{r.cpu_ms:>8.2f}"
            f"{_maybe(r.database_cpu_ms):>8}{r.statements:>6.1f}{r.open_ms:>9.2f}"
        )
    doors = [r for r in results if r.label.startswith("POST /nl/") and "return" not in r.label]
    mean = sum(r.median_ms for r in doors) / len(doors)
    cpu = sum(r.cpu_ms + (r.database_cpu_ms or 0) for r in doors) / len(doors)
    print(
        f"  the three doors: {mean:.2f} ms a POST, {cpu:.2f} ms of CPU with the database's: "
        f"2 cores at most {2000 / cpu:.0f}/s (target {TARGETS[name]}/s, HTTP and wrk on top)"
    )
    if name == "SQLite":
        span = sum(r.open_ms for r in doors) / len(doors)
        print(
            f"  the write lock is held {span:.2f} ms a POST: at most {1000 / span:.0f}/s together"
        )
    if with_profile:
        profile(app, codes)
    with app.app_context():
        db.get_engine().dispose()


def main(with_profile: bool = False) -> None:
    on_each_backend(
        "submissions",
        lambda name, url, workdir: run_backend(name, url, workdir, with_profile=with_profile),
        application_name=APPLICATION_NAME,
    )


if __name__ == "__main__":
    main(with_profile="--profile" in sys.argv)
