"""Server time of the portal pages of bench/load.py ("portal pages (6 GETs)"),
in-process: GET /nl/, /nl/contact, /nl/question, /nl/referral, /nl/return and
/nl/safety, each with the cookie of a visitor who loaded the forms before (as
wrk replays them), the load benchmark's data and the production settings
behind one proxy. The request log line is written, to /dev/null, as gunicorn's
workers write it to their log.

Per page: the median CPU time of this process (ms: what the machine's other
work disturbs least), the median wall time, the SQL statements it runs, and
whether the answer sets a cookie. SQLite, and PostgreSQL when
FJC_TEST_DATABASE_URL (default: the test database on 127.0.0.1) answers.
`python -m bench.portal_time [--profile]`.
"""

from __future__ import annotations

import cProfile
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

from bench.harness import on_each_backend
from bench.load import _seed
from bench.submit_time import Visitor, _settings, watching

REPEAT = 300
PAGES = ["/nl/", "/nl/contact", "/nl/question", "/nl/referral", "/nl/return", "/nl/safety"]
APPLICATION_NAME = "fjc-portal-time"


def _log_to_devnull() -> None:
    """The request line as production writes it, to nowhere: its cost counts."""
    request_log = logging.getLogger("fjc.request")
    request_log.disabled = False
    for handler in request_log.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the process


def _visitor(app) -> Visitor:
    visitor = Visitor(app, "198.51.100.7")
    for path in ["/nl/contact", "/nl/question", "/nl/referral", "/nl/return"]:
        visitor.load(path)
    return visitor


def measure(app, repeat: int = REPEAT) -> list[tuple[str, float, float, float, bool, int]]:
    from web.db import db

    with app.app_context():
        engine = db.get_engine()
    visitor = _visitor(app)
    results = []
    for path in PAGES:
        answer = visitor.get(path)  # warm: first-request work is not what this measures
        assert answer.status_code == 200, (path, answer.status_code)
        size = len(answer.get_data())
        sets_cookie = "Set-Cookie" in answer.headers
        cpu, wall = [], []
        with watching(engine) as watch:
            for _ in range(repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                visitor.get(path)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
        results.append(
            (
                path,
                statistics.median(cpu),
                statistics.median(wall),
                watch.statements / repeat,
                sets_cookie,
                size,
            )
        )
    return results


def profile(app, repeat: int = REPEAT, top: int = 45) -> None:
    visitor = _visitor(app)
    for path in PAGES:
        visitor.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        for path in PAGES:
            visitor.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def run_backend(name: str, database_url: str, workdir: Path, *, with_profile: bool) -> None:
    from app import create_app
    from web.db import db

    data_key = Fernet.generate_key().decode()
    _seed(database_url, data_key, workdir)
    app = create_app(_settings(database_url, data_key, workdir))
    _log_to_devnull()
    print(f"\nportal pages on {name}, in-process, medians of {REPEAT} requests")
    print(f"  {'page':<16}{'CPU ms':>8}{'wall ms':>9}{'SQL':>6}{'cookie':>8}{'bytes':>8}")
    results = measure(app)
    for path, cpu, wall, statements, cookie, size in results:
        print(
            f"  {path:<16}{cpu:>8.3f}{wall:>9.3f}{statements:>6.1f}"
            f"{'set' if cookie else '-':>8}{size:>8}"
        )
    total = sum(r[1] for r in results)
    print(f"  the 6 pages: {total:.3f} ms of CPU, {total / 6:.3f} ms a page")
    if with_profile:
        profile(app)
    with app.app_context():
        db.get_engine().dispose()


def main(with_profile: bool = False) -> None:
    on_each_backend(
        "portal pages",
        lambda name, url, workdir: run_backend(name, url, workdir, with_profile=with_profile),
        application_name=APPLICATION_NAME,
    )


if __name__ == "__main__":
    main(with_profile="--profile" in sys.argv)
