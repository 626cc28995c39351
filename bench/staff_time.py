"""Server time of the staff scenario of bench/load.py ("staff queue + request"),
in-process: the queue, its pages 2 and 3 and one request's page, with the load
benchmark's data (2,000 closed and 100 open requests), signed in as a
coordinator with a second factor, the production settings behind one proxy.
Median and p90 per page (ms), this process's CPU time (the machine is shared:
wall time is not ours alone), the SQL statements each runs and the values it
decrypts; SQLite, and PostgreSQL when FJC_TEST_DATABASE_URL (default: the test
database on 127.0.0.1) answers. `python -m bench.staff_time [--profile]`
prints a cProfile of each page too.

The request log line is off (as in bench.harness): the load benchmark's
gunicorn writes it, so its share is the lead's, not this page's.
"""

from __future__ import annotations

import cProfile
import pstats
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import event

from bench.harness import on_each_backend
from bench.load import BACKGROUND, PASSWORD, RETURNING, seed_data

REPEAT = 100
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# The test client's host; behind the proxy the request is https (X-Forwarded-Proto).
ORIGIN = "https://localhost"
PUBLIC_URL = "https://fjc.example"
EMAIL = "bench@fjc.example"


@dataclass(frozen=True)
class Seeded:
    intake_ids: list[int]  # open requests, as the load benchmark opens them
    recovery_code: str


def _settings(database_url: str, data_key: str, workdir: Path) -> dict:
    """The production settings of bench.serving.production_env, as overrides."""
    return {
        "FJC_ENV": "production",
        "FJC_DATABASE_URL": database_url,
        "SECRET_KEY": "staff-time-secret-key-of-this-benchmark",
        "FJC_DATA_KEYS": [data_key],
        "FJC_INDEX_KEY": "test-index-key",
        "FJC_AUDIT_KEY": ["staff-time-audit-key-of-this-benchmark-long-enough"],
        "FJC_PUBLIC_URL": PUBLIC_URL,
        "FJC_PROXY_COUNT": 1,
        "RATELIMIT_ENABLED": False,
        "INSTANCE_DIR": str(workdir),
    }


def seed(app) -> Seeded:
    """What bench/load.py stores (seed_data): the open requests' ids and one
    recovery code of the coordinator."""
    _codes, ids, recovery = seed_data(app)
    return Seeded(intake_ids=ids, recovery_code=recovery)


def _post(client, path: str, fields: dict[str, str]):
    page = client.get(path)
    token = CSRF_RE.search(page.get_data(as_text=True))
    assert token, f"no CSRF token on {path}"
    return client.post(
        path,
        data={"csrf_token": token.group(1), **fields},
        headers={"Referer": f"{ORIGIN}{path}"},
    )


def signed_in(app, recovery_code: str):
    """A browser signed in as the bench coordinator: password, then a recovery code."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.200"
    answer = _post(client, "/staff/login", {"email": EMAIL, "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    answer = _post(client, "/staff/login/code", {"code": recovery_code})
    assert answer.status_code == 302, answer.status_code
    return client


@contextmanager
def counting(app) -> Iterator[tuple[list[str], list[str]]]:
    """The SQL statements run and the values decrypted inside the block."""
    from core.infra import crypto
    from web.db import db

    with app.app_context():
        engine = db.get_engine()
    statements: list[str] = []
    opened: list[str] = []
    ring = crypto.keyring()
    decrypt = ring.decrypt

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def counted_decrypt(token: str) -> str:
        opened.append(token)
        return decrypt(token)

    event.listen(engine, "before_cursor_execute", count)
    ring.decrypt = counted_decrypt  # type: ignore[method-assign]
    try:
        yield statements, opened
    finally:
        del ring.decrypt
        event.remove(engine, "before_cursor_execute", count)


def pages(seeded: Seeded) -> list[tuple[str, list[str]]]:
    """The scenario's pages, each as the paths the load benchmark cycles through."""
    return [
        ("GET /staff/", ["/staff/"]),
        ("GET /staff/?page=2|3", ["/staff/?page=2", "/staff/?page=3"]),
        ("GET /staff/intakes/<id>", [f"/staff/intakes/{i}" for i in seeded.intake_ids[:20]]),
    ]


# Not in the scenario (nor in its mix): a staff page with no work of its own,
# so what every signed-in page pays (the sign-in check, the layout, the
# session cookie) shows on its own line.
BARE_PAGE = ("GET /staff/account (bare)", ["/staff/account"])
# Barer still: a page of the back office's layout with nothing in it, added to
# the benchmark's app only (add_bare_page), so what is left is only what every
# signed-in page pays.
EMPTY_PAGE = ("GET /staff/ empty page", ["/staff/bench-empty"])


def add_bare_page(app) -> None:
    """A signed-in staff page (any role) rendering the bare back-office layout,
    on the back office's blueprint, so its before_request hooks run."""
    from flask import render_template

    from core.identity.permissions import Permission
    from web.accounts.permissions import requires

    @requires(Permission.SIGNED_IN)
    def bench_empty():
        return render_template("backoffice/base.html")

    app.add_url_rule("/staff/bench-empty", "backoffice.bench_empty", bench_empty)


@dataclass(frozen=True)
class PageTime:
    label: str
    median_ms: float
    p90_ms: float
    cpu_ms: float
    # Per path of the page ("11" or, when its paths differ, "11-13").
    statements: str
    decrypted: str


def _spread(counts: list[int]) -> str:
    return str(counts[0]) if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"


def _samples(action, repeat: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return sorted(wall), sorted(cpu)


def measure(
    app, client, seeded: Seeded, repeat: int = REPEAT, extra: bool = False
) -> list[PageTime]:
    """The scenario's pages; `extra`: the bare and the empty page after them."""
    results = []
    for label, paths in pages(seeded) + ([BARE_PAGE, EMPTY_PAGE] if extra else []):
        cycle = iter(range(10**9))

        def get(paths=paths, cycle=cycle):
            path = paths[next(cycle) % len(paths)]
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        statements, decrypted = [], []
        for _path in paths:
            get()  # warm: first-request work is not what this measures
        for _path in paths:
            with counting(app) as (seen, opened):
                get()
            statements.append(len(seen))
            decrypted.append(len(opened))
        wall, cpu = _samples(get, repeat)
        results.append(
            PageTime(
                label,
                statistics.median(wall),
                wall[int(len(wall) * 0.9) - 1],
                statistics.median(cpu),
                _spread(statements),
                _spread(decrypted),
            )
        )
    return results


def profile(client, paths: list[str], repeat: int = REPEAT, top: int = 40) -> None:
    """cProfile of `repeat` requests over `paths`, by cumulative and by own time."""
    for path in paths:
        client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(repeat):
        client.get(paths[n % len(paths)])
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def run_backend(name: str, database_url: str, workdir: Path, *, with_profile: bool) -> None:
    from app import create_app
    from web.db import db

    app = create_app(_settings(database_url, Fernet.generate_key().decode(), workdir))
    add_bare_page(app)
    seeded = seed(app)
    client = signed_in(app, seeded.recovery_code)
    print(
        f"\nstaff pages on {name} ({BACKGROUND} closed, {RETURNING} open requests), "
        f"median and p90 of {REPEAT} requests"
    )
    print(f"  {'page':<26}{'median ms':>10}{'p90 ms':>8}{'CPU ms':>8}{'SQL':>7}{'decrypted':>10}")
    *results, bare, empty = measure(app, client, seeded, extra=True)
    for r in results:
        print(
            f"  {r.label:<26}{r.median_ms:>10.2f}{r.p90_ms:>8.2f}{r.cpu_ms:>8.2f}"
            f"{r.statements:>7}{r.decrypted:>10}"
        )
    # The load scenario's mix: one of each, in turn (the bare page is not in it).
    mix = sum(r.median_ms for r in results) / len(results)
    cpu = sum(r.cpu_ms for r in results) / len(results)
    print(
        f"  the scenario's mix: {mix:.2f} ms a request ({cpu:.2f} ms of CPU here), "
        f"{1000 / mix:.0f} req/s a core"
    )
    for r in (bare, empty):
        print(
            f"  {r.label:<26}{r.median_ms:>10.2f}{r.p90_ms:>8.2f}{r.cpu_ms:>8.2f}"
            f"{r.statements:>7}{r.decrypted:>10}  (not in the mix)"
        )
    if with_profile:
        for label, paths in [*pages(seeded), BARE_PAGE, EMPTY_PAGE]:
            print(f"\nprofile of {label} on {name}")
            profile(client, paths)
    with app.app_context():
        db.get_engine().dispose()


def main(with_profile: bool = False) -> None:
    on_each_backend(
        "staff pages",
        lambda name, url, workdir: run_backend(name, url, workdir, with_profile=with_profile),
    )


if __name__ == "__main__":
    main(with_profile="--profile" in sys.argv)
