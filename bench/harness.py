"""A throwaway app on a temporary SQLite database, for the benchmarks."""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

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
