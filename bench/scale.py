"""The back office at the scale of a centre after years of work: 100,000
requests and 20,000 case files (bench/scale_data.py). For each staff page it
prints the server time (median and p90) and the number of SQL statements one
view runs, on SQLite and, when it answers, on PostgreSQL, against the targets
written in docs/performance.md.

A statement count that does not depend on the size of the data is the check
for N+1 queries; tests/backoffice/test_query_counts.py keeps it in `make test`.

Sizes can be lowered for a quick look: FJC_BENCH_INTAKES=10000 FJC_BENCH_CASES=2000."""

from __future__ import annotations

import os
import secrets
import time

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from bench import scale_data
from bench.harness import bench_app, median_ms
from web.db import db

INTAKES = int(os.environ.get("FJC_BENCH_INTAKES", "100000"))
CASES = int(os.environ.get("FJC_BENCH_CASES", "20000"))
REPEAT = 15
PG_URL = os.environ.get("FJC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Server time targets in ms for the median (what a person waits for at most,
# before network): see docs/performance.md for why these.
TARGETS_MS = {
    "queue": 150,
    "case files list": 150,
    "case file": 250,
    "print view": 250,
    "figures (12 months)": 1500,
    "figures CSV": 1500,
}


def _pages(case_id: int) -> list[tuple[str, str]]:
    return [
        ("queue", "/staff/"),
        ("case files list", "/staff/cases"),
        ("case file", f"/staff/cases/{case_id}"),
        ("print view", f"/staff/cases/{case_id}/print"),
        ("figures (12 months)", "/staff/stats"),
        ("figures CSV", "/staff/stats.csv"),
    ]


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def _postgres_schema() -> str | None:
    """A schema of its own in the test database, or None when there is none."""
    try:
        engine = create_engine(PG_URL)
        schema = f"fjc_bench_{secrets.token_hex(4)}"
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - reported, then the SQLite figures stand alone
        print(f"  (PostgreSQL at {PG_URL} not used: {type(exc).__name__})")
        return None
    return schema


def _drop_schema(schema: str) -> None:
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def _run(label: str, **overrides) -> None:
    app = bench_app(WTF_CSRF_ENABLED=False, **overrides)
    started = time.perf_counter()
    with app.app_context(), db.writing() as session:
        facts = scale_data.fill(session, intakes=INTAKES, cases=CASES)
    filled = time.perf_counter() - started
    with app.app_context():
        engine = db.get_engine()
        # Fresh planner statistics, as a long-running database would have.
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        counter = StatementCounter(engine)
    client = app.test_client()
    login = client.post(
        "/staff/login",
        data={"email": scale_data.COORDINATOR_EMAIL, "password": scale_data.PASSWORD},
    )
    assert login.status_code == 302, login.status_code
    print(
        f"{label}: {facts['intakes']:,} requests, {facts['cases']:,} case files, "
        f"{facts['rows']:,} rows generated in {filled:.0f} s"
    )
    print(f"  {'page':<22}{'median ms':>10}{'p90 ms':>9}{'target':>8}{'SQL':>6}")
    for name, path in _pages(facts["case_id"]):
        first = client.get(path)
        if first.status_code == 404:
            print(f"  {name:<22}{'(no such page yet)':>33}")
            continue
        assert first.status_code == 200, (path, first.status_code)
        before = counter.count
        client.get(path)
        statements = counter.count - before

        def page(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        median, p90 = median_ms(page, REPEAT)
        target = TARGETS_MS[name]
        verdict = "ok" if median <= target else "SLOW"
        print(f"  {name:<22}{median:>10.1f}{p90:>9.1f}{target:>8}{statements:>6}  {verdict}")
    with app.app_context():
        db.get_engine().dispose()


def main() -> None:
    print("back office at scale: server time per page (median/p90 of", REPEAT, "requests)")
    _run("SQLite")
    schema = _postgres_schema()
    if schema is None:
        return
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        _run("PostgreSQL", FJC_DATABASE_URL=url.render_as_string(hide_password=False))
    finally:
        _drop_schema(schema)


if __name__ == "__main__":
    main()
