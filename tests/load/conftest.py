"""Fixtures for tests that start real gunicorn processes on 127.0.0.1."""

from __future__ import annotations

import pytest

from bench.serving import Server, production_env
from tests.conftest import TEST_DATA_KEY, UNDER_CI

# A Redis database of its own, emptied before and after (as tests/web/test_rate_limits.py).
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url():
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.flushdb()
    except Exception as exc:  # noqa: BLE001 - reported in the skip message
        connection.close()
        if UNDER_CI:
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {type(exc).__name__}: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({type(exc).__name__}: {exc})")
    yield REDIS_URL
    connection.flushdb()
    connection.close()


@pytest.fixture
def start_server(database_url, tmp_path):
    """start_server(workers=4, redis_url=None, **env) -> a running production
    gunicorn on this run's database; every one is stopped at the end."""
    started: list[Server] = []

    def _start(*, workers: int = 4, redis_url: str | None = None, **env: str) -> Server:
        settings = production_env(database_url, TEST_DATA_KEY, redis_url=redis_url)
        settings.update(env)
        server = Server(
            settings, workers=workers, log_path=tmp_path / f"gunicorn{len(started)}.log"
        )
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()
