"""The back office of one centre in a network of nine after years of work:
every centre has 100,000 requests and 20,000 case files (bench/scale_data.py).
A coordinator of Mechelen (her home centre, so the one her pages show) asks
each staff page; for each it prints the server time (median and p90) and the
number of SQL statements one view runs, on SQLite and, when it answers, on
PostgreSQL, against the targets written in docs/performance.md. For the
queue, the case list and the audit trail it prints the plan of each statement
that reads the centre's rows (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
PostgreSQL): the index it uses should lead with centre_id, so that one centre's
pages cost what they cost when the installation served one centre.

A statement count that does not depend on the size of the data is the check
for N+1 queries; tests/backoffice/test_query_counts.py keeps it in `make test`.

Sizes can be lowered for a quick look (per centre):
FJC_BENCH_CENTRES=9 FJC_BENCH_INTAKES=20000 FJC_BENCH_CASES=4000; and
FJC_BENCH_BACKENDS=postgresql (or sqlite) runs one backend only;
FJC_BENCH_PG_OPTIONS="-crandom_page_cost=1.1" sets planner options there."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from bench import scale_data
from bench.harness import bench_app, median_ms
from web.db import db

CENTRES = int(os.environ.get("FJC_BENCH_CENTRES", "9"))
INTAKES = int(os.environ.get("FJC_BENCH_INTAKES", "100000"))
CASES = int(os.environ.get("FJC_BENCH_CASES", "20000"))
REPEAT = 15
# "sqlite,postgresql" (both, the default), or one of them.
BACKENDS = os.environ.get("FJC_BENCH_BACKENDS", "sqlite,postgresql").split(",")
PG_URL = os.environ.get("FJC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Planner settings for the bench's PostgreSQL sessions, e.g. "-crandom_page_cost=1.1"
# (docs/performance.md: what it changes for the home page's overdue actions).
PG_OPTIONS = os.environ.get("FJC_BENCH_PG_OPTIONS", "")
# Server time targets in ms for the median (what a person waits for at most,
# before network): see docs/performance.md for why these.
TARGETS_MS = {
    "queue": 150,
    "case files list": 150,
    "case file": 250,
    "print view": 250,
    "audit trail": 250,
    "figures (12 months)": 1500,
    "figures CSV": 1500,
}
# The pages whose statements on these tables are explained: the lists that
# grow with the centre's years of work.
EXPLAINED = {
    "queue": ("intakes", "case_actions"),
    "case files list": ("cases",),
    "audit trail": ("audit_events",),
}
_MAIN_TABLE = re.compile(r"^\s*SELECT\b.*?\bFROM\s+(\w+)", re.IGNORECASE | re.DOTALL)
_COUNT = re.compile(r"^\s*SELECT\s+count\(", re.IGNORECASE)


def _pages(case_id: int) -> list[tuple[str, str]]:
    return [
        ("queue", "/staff/"),
        ("case files list", "/staff/cases"),
        ("case file", f"/staff/cases/{case_id}"),
        ("print view", f"/staff/cases/{case_id}/print"),
        ("audit trail", "/staff/admin/audit"),
        ("figures (12 months)", "/staff/stats"),
        ("figures CSV", "/staff/stats.csv"),
    ]


class StatementCounter:
    """Counts the statements run; keeps them while `keeping` is set."""

    def __init__(self, engine: Engine):
        self.count = 0
        self.keeping = False
        self.kept: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        self.count += 1
        if self.keeping:
            self.kept.append((statement, parameters))


def _per_centre(statements: list[tuple[str, object]], tables: tuple[str, ...]):
    """The page's statements that read `tables` for the centre."""
    for statement, parameters in statements:
        found = _MAIN_TABLE.match(statement)
        if found and found.group(1) in tables and "centre_id" in statement:
            kind = "count" if _COUNT.match(statement) else "rows"
            yield f"{found.group(1)} ({kind})", statement, parameters


def _plan(engine: Engine, statement: str, parameters) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            depth = {0: 0}
            lines = []
            for node, parent, _unused, detail in rows:
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + detail)
            return lines
        rows = connection.exec_driver_sql(f"EXPLAIN (COSTS OFF) {statement}", parameters).all()
        return [row[0] for row in rows]


def _fresh_statistics(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        # VACUUM runs outside a transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        return
    # In a transaction that commits: the app's SQLite engine begins one even
    # in AUTOCOMMIT, and an ANALYZE rolled back leaves the planner guessing.
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


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
    centre_file = Path(tempfile.mkdtemp(prefix="fjc-bench-centres-")) / "centres.json"
    scale_data.write_centre_file(centre_file, CENTRES)
    app = bench_app(WTF_CSRF_ENABLED=False, FJC_CENTRE_FILE=str(centre_file), **overrides)
    started = time.perf_counter()
    with app.app_context(), db.writing() as session:
        facts = scale_data.fill(session, intakes=INTAKES, cases=CASES)
    filled = time.perf_counter() - started
    with app.app_context():
        engine = db.get_engine()
        # Fresh planner statistics, as a long-running database would have;
        # on PostgreSQL also the visibility map that autovacuum keeps, which
        # index-only scans rely on.
        _fresh_statistics(engine)
        counter = StatementCounter(engine)
    client = app.test_client()
    login = client.post(
        "/staff/login",
        data={"email": scale_data.COORDINATOR_EMAIL, "password": scale_data.PASSWORD},
    )
    assert login.status_code == 302, login.status_code
    print(
        f"{label}: {facts['centres']} centres x {facts['intakes']:,} requests and "
        f"{facts['cases']:,} case files; {facts['rows']:,} rows generated in {filled:.0f} s; "
        f"pages of {scale_data.MEASURED}"
    )
    print(f"  {'page':<22}{'median ms':>10}{'p90 ms':>9}{'target':>8}{'SQL':>6}")
    plans: list[tuple[str, str, list[str]]] = []
    for name, path in _pages(facts["case_id"]):
        first = client.get(path)
        if first.status_code == 404:
            print(f"  {name:<22}{'(no such page yet)':>33}")
            continue
        assert first.status_code == 200, (path, first.status_code)
        before = counter.count
        counter.keeping, counter.kept = True, []
        client.get(path)
        counter.keeping = False
        statements = counter.count - before
        for what, statement, parameters in _per_centre(counter.kept, EXPLAINED.get(name, ())):
            plans.append((name, what, _plan(engine, statement, parameters)))

        def page(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        median, p90 = median_ms(page, REPEAT)
        target = TARGETS_MS[name]
        verdict = "meets" if median <= target else "misses"
        print(f"  {name:<22}{median:>10.1f}{p90:>9.1f}{target:>8}{statements:>6}  {verdict}")
    explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
    print(f"  query plans ({explain}):")
    for name, what, lines in plans:
        print(f"    {name}, {what}:")
        for line in lines:
            print(f"      {line}")
    with app.app_context():
        db.get_engine().dispose()
    # The SQLite file of a full run is 2.6 GB.
    shutil.rmtree(app.config["INSTANCE_DIR"], ignore_errors=True)
    shutil.rmtree(centre_file.parent, ignore_errors=True)


def main() -> None:
    print("back office at scale: server time per page (median/p90 of", REPEAT, "requests)")
    if "sqlite" in BACKENDS:
        _run("SQLite")
    if "postgresql" not in BACKENDS:
        return
    schema = _postgres_schema()
    if schema is None:
        return
    options = f"-csearch_path={schema} {PG_OPTIONS}".strip()
    url = make_url(PG_URL).update_query_dict({"options": options})
    try:
        label = f"PostgreSQL ({PG_OPTIONS})" if PG_OPTIONS else "PostgreSQL"
        _run(label, FJC_DATABASE_URL=url.render_as_string(hide_password=False))
    finally:
        _drop_schema(schema)


if __name__ == "__main__":
    main()
