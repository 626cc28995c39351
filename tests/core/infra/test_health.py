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
    assert _health(app) == (200, {"status": "ok", "database": "ok", "data_keys": "ok"})


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
    assert _health(app) == (
        200,
        {"status": "ok", "database": "ok", "data_keys": "ok", "redis": "ok"},
    )


def test_an_unreachable_redis_is_degraded_not_out_of_rotation(app_factory, caplog):
    """Without Redis the limits count per process: the instance still serves,
    and every instance at once answering 503 would take the service down."""
    app = app_factory(FJC_REDIS_URL=UNREACHABLE_REDIS)
    assert _health(app) == (
        200,
        {
            "status": "ok",
            "database": "ok",
            "data_keys": "ok",
            "redis": "degraded",
        },
    )
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


def test_a_database_that_cannot_take_a_write_makes_it_unhealthy(app, monkeypatch, caplog):
    """A full disk: reads still work, every write fails at its commit."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    def full(self):
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(Session, "commit", full)
    status, body = _health(app)
    assert (status, body["database"], body["status"]) == (503, "not writable", "error")
    assert "health check: database not writable" in caplog.text


@pytest.mark.postgres_only
def test_a_read_only_database_makes_it_unhealthy(app, database_url, tmp_path):
    """As after a fail-over to a read-only replica."""
    from sqlalchemy.engine import make_url

    from tests.conftest import make_test_app
    from web.db import db

    url = make_url(database_url)
    options = url.query["options"] + " -cdefault_transaction_read_only=on"
    read_only = make_test_app(
        url.update_query_dict({"options": options}).render_as_string(hide_password=False),
        tmp_path / "read-only",
    )
    try:
        status, body = _health(read_only)
        assert (status, body["database"]) == (503, "not writable")
    finally:
        with read_only.app_context():
            db.get_engine().dispose()


def test_keys_that_cannot_open_the_data_make_it_unhealthy(app_factory, database_url, tmp_path):
    from cryptography.fernet import Fernet

    from tests.conftest import make_test_app
    from web.db import db

    sealed = app_factory(FJC_CHECK_KEYS=True)  # its start seals the canary
    assert _health(sealed)[0] == 200
    stranger = make_test_app(
        database_url, tmp_path / "other", FJC_DATA_KEYS=[Fernet.generate_key().decode()]
    )
    try:
        status, body = _health(stranger)
        assert (status, body["data_keys"]) == (503, "wrong")
    finally:
        with stranger.app_context():
            db.get_engine().dispose()


def test_a_request_refused_for_a_full_disk_keeps_it_out_for_a_while(app, monkeypatch, clock):
    """PostgreSQL with a full data disk still takes the probe's small UPDATE,
    while every request that needs a new page fails: the failure itself counts."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from core.infra import health
    from tests.pages import form_values

    monkeypatch.setattr(health, "_storage_full_at", None)
    client = app.test_client()
    form = {**form_values(client.get("/en/question").page, action="/en/question")}
    form["question"] = "Is this normal?"
    real_commit = Session.commit

    def disk_full(self):
        error = Exception("could not extend file: No space left on device")
        error.sqlstate = "53100"
        raise OperationalError("INSERT", {}, error)

    monkeypatch.setattr(Session, "commit", disk_full)
    assert client.post("/en/question", data=form).status_code == 503
    monkeypatch.setattr(Session, "commit", real_commit)
    status, body = _health(app)
    assert (status, body["database"]) == (503, "not writable")
    clock.advance(seconds=health.STORAGE_FULL_MEMORY.total_seconds() + 1)
    assert _health(app)[0] == 200
