"""Rate limits share their counters through Redis when FJC_REDIS_URL is set,
so every worker and every host counts the same client together."""

import pytest

from tests.conftest import UNDER_CI, make_test_app
from tests.pages import CheckingClient

# A database of its own, emptied before and after, so no other data is touched.
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)


@pytest.fixture
def redis_apps(database_url, tmp_path):
    connection = _redis()
    try:
        connection.flushdb()
    except Exception as exc:  # noqa: BLE001 - reported in the skip message
        connection.close()
        if UNDER_CI:
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {type(exc).__name__}: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({type(exc).__name__}: {exc})")
    apps = [
        make_test_app(database_url, tmp_path / str(n), FJC_REDIS_URL=REDIS_URL) for n in range(2)
    ]
    for app in apps:
        app.test_client_class = CheckingClient
    yield apps, connection
    for app in apps:
        app.extensions["fjc_db"].engine.dispose()
    connection.flushdb()
    connection.close()


def test_two_app_instances_count_login_attempts_together(redis_apps):
    apps, connection = redis_apps
    clients = [app.test_client() for app in apps]
    statuses = []
    for attempt in range(11):
        client = clients[attempt % 2]
        response = client.submit(
            "/staff/login", {"email": "x@fjc.example", "password": "wrong password!"}
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    keys = [key.decode() for key in connection.scan_iter("*backoffice.login*")]
    assert keys, "the counters live in Redis"
    assert not any("x@fjc.example" in key for key in keys), "no personal data in keys"
