"""What ending read transactions with COMMIT saves on PostgreSQL
(core.infra.db.commit_if_only_read): the pages of bench/staff_time.py's
scenario (the queue, its pages 2 and 3, a request's page), asked in blocks
that take turns between reads ending with COMMIT (as shipped: psycopg keeps
the statements it prepared) and with ROLLBACK (as before: it forgets them at
each). Per request, the medians over the blocks of: wall time, this process's
CPU time and the CPU time of the PostgreSQL server processes of this
benchmark's connections. SQLite is not measured: its driver keeps its
statements either way. `python -m bench.read_commit_time`.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from cryptography.fernet import Fernet

from bench.harness import postgres_schema
from bench.staff_time import _settings, pages, seed, signed_in
from bench.submit_time import APPLICATION_NAME, database_cpu_s

BLOCKS = 12  # per way of ending, taking turns
ROUNDS = 10  # each block asks every page of the scenario this many times


def _ending_with_rollback(_session) -> None:
    """The session's close ends the transaction with ROLLBACK, as before."""


def run(database_url: str, workdir: Path) -> None:
    import web.db
    from app import create_app
    from web.db import db

    shipped = web.db.commit_if_only_read
    app = create_app(_settings(database_url, Fernet.generate_key().decode(), workdir))
    seeded = seed(app)
    client = signed_in(app, seeded.recovery_code)
    paths = [choices[n % len(choices)] for n in range(2) for _label, choices in pages(seeded)]
    with app.app_context():
        engine = db.get_engine()
    results: dict[str, list[tuple[float, float, float]]] = {"COMMIT": [], "ROLLBACK": []}
    try:
        for block in range(2 * BLOCKS):
            ending = ("COMMIT", "ROLLBACK")[(block + block // 2) % 2]
            web.db.commit_if_only_read = shipped if ending == "COMMIT" else _ending_with_rollback
            for path in paths:  # the first requests after a switch prepare again
                client.get(path)
            database_before = database_cpu_s(engine) or 0.0
            cpu_before, wall_before = time.process_time(), time.perf_counter()
            for _ in range(ROUNDS):
                for path in paths:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
            n = ROUNDS * len(paths)
            results[ending].append(
                (
                    (time.perf_counter() - wall_before) * 1000 / n,
                    (time.process_time() - cpu_before) * 1000 / n,
                    ((database_cpu_s(engine) or 0.0) - database_before) * 1000 / n,
                )
            )
    finally:
        web.db.commit_if_only_read = shipped
        engine.dispose()
    print(
        f"\nstaff pages on PostgreSQL, reads ending with COMMIT or ROLLBACK in turn "
        f"({BLOCKS} blocks of {ROUNDS * len(paths)} requests each), medians a request"
    )
    print(f"  {'reads end with':<16}{'wall ms':>9}{'CPU ms':>8}{'DB CPU ms':>11}")
    for ending, blocks in results.items():
        wall, cpu, database = (statistics.median(b[i] for b in blocks) for i in range(3))
        print(f"  {ending:<16}{wall:>9.2f}{cpu:>8.2f}{database:>11.2f}")


def main() -> None:
    import logging
    import shutil
    import tempfile

    logging.getLogger("fjc.request").disabled = True  # a line a request would drown the numbers
    workdir = Path(tempfile.mkdtemp(prefix="fjc-bench-"))
    try:
        with postgres_schema("read transactions", application_name=APPLICATION_NAME) as url:
            if url is not None:
                run(url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
