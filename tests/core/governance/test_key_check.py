"""A start with keys that cannot open the stored data is refused in one line,
before any request is taken: a different but valid data key, or another index
key, would otherwise store requests nobody can read or find again."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import delete, func, select

from app import ConfigError
from core.model import KeyCanary
from tests.conftest import TEST_DATA_KEY, make_test_app
from tests.core.governance.test_rotation import _write_requests
from web.db import db

OTHER_KEY = Fernet.generate_key().decode("ascii")


@pytest.fixture
def start(database_url, tmp_path):
    """start(**settings): create_app on this run's database with the key check on."""
    made = []

    def _start(**overrides):
        settings = {"FJC_CHECK_KEYS": True, **overrides}
        app = make_test_app(database_url, tmp_path / f"start{len(made)}", **settings)
        made.append(app)
        return app

    yield _start
    for app in made:
        with app.app_context():
            db.get_engine().dispose()


def _canaries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(KeyCanary.id)))


def test_the_first_start_seals_a_canary_and_a_start_with_another_key_is_refused(app, start):
    start()
    assert _canaries(app) == 1
    with pytest.raises(ConfigError) as refused:
        start(FJC_DATA_KEYS=[OTHER_KEY])
    message = str(refused.value)
    assert "FJC_DATA_KEYS cannot decrypt this database's data" in message
    assert "\n" not in message


def test_a_new_key_in_front_of_the_old_one_starts(app, start):
    start()
    start(FJC_DATA_KEYS=[OTHER_KEY, TEST_DATA_KEY])
    assert _canaries(app) == 1


def test_another_index_key_is_refused(app, start):
    start()
    with pytest.raises(ConfigError, match="FJC_INDEX_KEY is not the key"):
        start(FJC_INDEX_KEY="another-index-key")


def test_a_database_from_before_the_canary_is_sealed_only_by_keys_that_read_it(app, start):
    _write_requests(app, count=1)
    with app.app_context(), db.writing() as session:
        session.execute(delete(KeyCanary))
    with pytest.raises(ConfigError, match="FJC_DATA_KEYS cannot decrypt"):
        start(FJC_DATA_KEYS=[OTHER_KEY])
    assert _canaries(app) == 0
    start()
    assert _canaries(app) == 1


def test_migrate_with_keys_that_cannot_read_the_data_stops_in_one_line(app, tmp_path):
    _write_requests(app, count=1)
    stranger = make_test_app(
        app.config["FJC_DATABASE_URL"], tmp_path / "stranger", FJC_DATA_KEYS=[OTHER_KEY]
    )
    try:
        result = stranger.test_cli_runner().invoke(args=["migrate"])
    finally:
        with stranger.app_context():
            db.get_engine().dispose()
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: FJC_DATA_KEYS cannot decrypt this database's data: "
        "the key it was written with is missing (add it after the newest)"
    )


def test_after_rotation_the_old_key_can_go(app, start):
    start()
    rotated = start(FJC_DATA_KEYS=[OTHER_KEY, TEST_DATA_KEY])
    assert rotated.test_cli_runner().invoke(args=["rotate-keys"]).exit_code == 0
    start(FJC_DATA_KEYS=[OTHER_KEY])  # the canary moved to the new key with the rest


def test_a_process_that_could_not_check_its_keys_at_start_stores_nothing_until_it_has(
    app, start, tmp_path
):
    """The database was down at start: the first write checks the keys."""
    from app import KEYS_VERIFIED
    from tests.pages import CheckingClient, form_values

    start()  # seals the canary with the right keys
    stranger = make_test_app(
        app.config["FJC_DATABASE_URL"], tmp_path / "late", FJC_DATA_KEYS=[OTHER_KEY]
    )
    stranger.test_client_class = CheckingClient
    stranger.extensions[KEYS_VERIFIED] = False  # as after a start without the database
    try:
        client = stranger.test_client()
        form = form_values(client.get("/en/question").page, action="/en/question")
        refused = client.post("/en/question", data={**form, "question": "Help?"})
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "30"
    finally:
        with stranger.app_context():
            db.get_engine().dispose()
    right = start()  # the process's key ring is the last app's: the right keys again
    right.test_client_class = CheckingClient
    right.extensions[KEYS_VERIFIED] = False
    client = right.test_client()
    form = form_values(client.get("/en/question").page, action="/en/question")
    assert client.post("/en/question", data={**form, "question": "Help?"}).status_code == 200
    assert right.extensions[KEYS_VERIFIED] is True
