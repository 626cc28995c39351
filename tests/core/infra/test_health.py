"""/healthz tells a load balancer whether this instance can serve: the
database always, Redis when the rate limits are shared through it."""

import json

import pytest

from tests.conftest import UNDER_CI
from tests.web.test_rate_limits import REDIS_URL, _redis

# Nothing listens on port 1 of the loopback: the connection is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _health(app):
    response = app.test_client().get("/healthz")
    return response.status_code, json.loads(response.data)


def test_without_redis_only_the_database_is_checked(app):
    assert _health(app) == (200, {"status": "ok", "database": "ok"})


def test_a_reachable_redis_is_reported(app_factory):
    connection = _redis()
    try:
        connection.ping()
    except Exception as exc:  # noqa: BLE001 - reported in the skip message
        if UNDER_CI:
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({exc})")
    finally:
        connection.close()
    app = app_factory(FJC_REDIS_URL=REDIS_URL)
    assert _health(app) == (200, {"status": "ok", "database": "ok", "redis": "ok"})


def test_an_unreachable_redis_is_degraded_not_out_of_rotation(app_factory, caplog):
    """Without Redis the limits count per process: the instance still serves,
    and every instance at once answering 503 would take the service down."""
    app = app_factory(FJC_REDIS_URL=UNREACHABLE_REDIS)
    assert _health(app) == (200, {"status": "ok", "database": "ok", "redis": "degraded"})
    assert "redis unreachable; rate limits count per process" in caplog.text


def test_a_database_that_does_not_answer_makes_it_unhealthy(app, monkeypatch):
    engine = app.extensions["fjc_db"].engine

    def refuse(*_args, **_kwargs):
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(engine, "connect", refuse)
    monkeypatch.setattr(engine.pool, "connect", refuse)
    status, body = _health(app)
    assert status == 503
    assert body == {"status": "error", "database": "unreachable"}
