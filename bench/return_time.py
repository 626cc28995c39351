"""Server time of the return visits of bench/load.py ("return visits"),
in-process: `GET /nl/return` (the blank form), then `POST /nl/return` with
its CSRF token and one of the seeded 16-digit codes (answered by a redirect
to the opened mailbox), each visitor with the cookie of the pages it loaded,
as wrk replays it (so every GET finds no mailbox open and shows the form).
The load benchmark's data (bench.load.seed_data) and its production settings
behind one proxy, rate limits off.

Per request: median and p90 wall time (ms), the median CPU time of this
process (ms: what the machine's other work disturbs least), on PostgreSQL the
mean CPU time of its server processes for this benchmark's connections, and
the SQL statements it runs. SQLite, and PostgreSQL when FJC_TEST_DATABASE_URL
(default: the test database on 127.0.0.1) answers.
`python -m bench.return_time [--profile]` prints a cProfile of each too.

The request log line is off (as in bench.harness): the load benchmark's
gunicorn writes it.
"""

from __future__ import annotations

import cProfile
import itertools
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

from bench.harness import on_each_backend
from bench.load import seed_data
from bench.serving import DOORS

# measure's database CPU finds the connections by submit_time's application name.
from bench.submit_time import APPLICATION_NAME, Visitor, _maybe, _settings, measure

REPEAT = 300


def requests(app, codes: list[str]) -> list[tuple[str, Callable[[], None]]]:
    """(label, one request) for the scenario's two requests. The visitor loads
    the doors and the return form first, as the load benchmark's browsers do
    (its cookie is theirs)."""
    visitor = Visitor(app, "198.51.100.7")
    for door in DOORS:
        visitor.load(f"/nl/{door}")
    visitor.load("/nl/return")
    cycle = itertools.cycle(codes)

    def return_get():
        answer = visitor.get("/nl/return")
        assert answer.status_code == 200, answer.status_code

    def return_post():
        answer = visitor.post("/nl/return", {"code": next(cycle)})
        assert answer.status_code == 303, answer.status_code
        assert answer.headers["Location"].endswith("/nl/return"), answer.headers["Location"]

    return [("GET /nl/return", return_get), ("POST /nl/return (code)", return_post)]


def profile(app, codes: list[str], repeat: int = REPEAT, top: int = 40) -> None:
    for label, send in requests(app, codes):
        send()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            send()
        profiler.disable()
        print(f"\nprofile of {label}, {repeat} requests")
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def run_backend(name: str, database_url: str, workdir: Path, *, with_profile: bool) -> None:
    from app import create_app
    from web.db import db

    app = create_app(_settings(database_url, Fernet.generate_key().decode(), workdir))
    codes, _ids, _recovery = seed_data(app)
    print(f"\nreturn visits on {name}, in-process, median and p90 of {REPEAT} requests")
    print(f"  {'request':<26}{'median ms':>10}{'p90 ms':>8}{'CPU ms':>8}{'DB CPU':>8}{'SQL':>6}")
    results = measure(app, requests(app, codes), REPEAT)
    for r in results:
        print(
            f"  {r.label:<26}{r.median_ms:>10.2f}{r.p90_ms:>8.2f}{r.cpu_ms:>8.2f}"
            f"{_maybe(r.database_cpu_ms):>8}{r.statements:>6.1f}"
        )
    # The load scenario's mix: one of each, in turn.
    cpu = sum(r.cpu_ms + (r.database_cpu_ms or 0) for r in results) / len(results)
    print(
        f"  the scenario's mix: {cpu:.2f} ms of CPU a request with the database's, "
        f"2 cores at most {2000 / cpu:.0f} req/s (HTTP and wrk on top)"
    )
    if with_profile:
        profile(app, codes)
    with app.app_context():
        db.get_engine().dispose()


def main(with_profile: bool = False) -> None:
    on_each_backend(
        "return visits",
        lambda name, url, workdir: run_backend(name, url, workdir, with_profile=with_profile),
        application_name=APPLICATION_NAME,
    )


if __name__ == "__main__":
    main(with_profile="--profile" in sys.argv)
