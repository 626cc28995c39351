"""A throwaway app on a temporary SQLite database, for the benchmarks."""

from __future__ import annotations

import logging
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from core.infra.migrations import upgrade
from core.network.centres import NETWORK_EXTENSION, ensure_centres
from web.db import db


def bench_app(**overrides):
    # One log line per request would drown the numbers.
    logging.getLogger("fjc.request").disabled = True
    workdir = Path(tempfile.mkdtemp(prefix="fjc-bench-"))
    app = create_app(
        {
            "FJC_ENV": "test",
            "FJC_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "SECRET_KEY": "bench",
            "FJC_DATA_KEYS": [Fernet.generate_key().decode()],
            "FJC_INDEX_KEY": "bench",
            "INSTANCE_DIR": str(workdir),
            "RATELIMIT_ENABLED": False,
            "TESTING": False,
            **overrides,
        }
    )
    with app.app_context():
        upgrade(db.get_engine())
        with db.writing() as session:
            # The centres of the app's own centre file (FJC_CENTRE_FILE), as `migrate` does.
            ensure_centres(session, app.extensions[NETWORK_EXTENSION])
    return app


def median_ms(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 90th percentile in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def postgres_schema(label: str, **query: str) -> Iterator[str | None]:
    """The URL of a throwaway schema on the test PostgreSQL (FJC_TEST_DATABASE_URL,
    else the local one), dropped after; None, said under `label`, when it does
    not answer. `query`: more URL parameters (an application_name)."""
    from core.infra.db import make_engine

    base = os.environ.get("FJC_TEST_DATABASE_URL") or DEFAULT_PG_URL
    schema = f"fjc_bench_{secrets.token_hex(4)}"
    try:
        admin = make_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - reported, then skipped
        print(f"\n{label} on PostgreSQL: skipped, {base} not reachable ({type(exc).__name__})")
        yield None
        return
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}", **query})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def on_each_backend(label: str, run: Callable[[str, str, Path], None], **query: str) -> None:
    """run(name, database_url, workdir) on a fresh SQLite file, then on a
    throwaway PostgreSQL schema when one answers (postgres_schema), without
    the request log line (it would drown the numbers)."""
    import shutil

    logging.getLogger("fjc.request").disabled = True
    workdir = Path(tempfile.mkdtemp(prefix="fjc-bench-"))
    try:
        run("SQLite", f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        with postgres_schema(label, **query) as url:
            if url is not None:
                run("PostgreSQL", url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
