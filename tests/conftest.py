"""Fixtures: every database test runs once on SQLite and once on PostgreSQL.

PostgreSQL comes from FJC_TEST_DATABASE_URL (default: database `test` on
127.0.0.1:5432). Each run works in a schema of its own, dropped afterwards.
When PostgreSQL cannot be reached those tests are skipped with a message,
except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from jinja2 import BytecodeCache
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url

from app import create_app
from core.identity import passwords
from core.identity.staff import create_staff
from core.infra import clock as core_clock
from core.infra.db import make_engine
from core.infra.migrations import upgrade
from core.model import Base, Centre, Municipality
from core.network.centres import NETWORK_EXTENSION, ensure_centres
from tests.pages import CheckingClient
from web.db import db

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_DATA_KEY = Fernet.generate_key().decode("ascii")
TEST_PASSWORD = "correct horse battery staple"
UNDER_CI = os.environ.get("CI", "").lower() == "true"
# Reference data that `migrate` loads; every other table is emptied after a test.
KEPT_TABLES = {Centre.__tablename__, Municipality.__tablename__}


# argon2id at production cost takes 0.15-1 s a hash on the 2-core machine and the
# suite signs in hundreds of times. Tests hash with the cheapest profile;
# tests/core/identity/test_passwords.py checks the production profile itself.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def pytest_configure(config):
    passwords.use_hasher(CHEAP_HASHER)


# Tests that use what the machine has once (Redis database 15, a gunicorn that
# takes both cores, a browser) run one after another on one xdist worker; the
# rest of the suite is spread over both (`make test` runs pytest -n 2).
SHARED_SERVICES = (
    "tests/load/",
    "tests/faults/",
    "tests/browser/",
    "test_rate_limits.py",
    "test_health.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(part in item.nodeid for part in SHARED_SERVICES):
            item.add_marker(pytest.mark.xdist_group("shared-services"))
        # A test of something only PostgreSQL has runs in the postgresql run only.
        if item.get_closest_marker("postgres_only") and "[sqlite" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only"))
        if item.get_closest_marker("sqlite_only") and "[postgresql" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason="SQLite only"))


def pg_base_url() -> str:
    return os.environ.get("FJC_TEST_DATABASE_URL") or DEFAULT_PG_URL


class Backend:
    """Makes empty databases of one kind and removes them at the end."""

    def __init__(self, name: str, tmp_path_factory):
        self.name = name
        self._tmp = tmp_path_factory
        self._schemas: list[str] = []

    def new_database_url(self) -> str:
        if self.name == "sqlite":
            path = self._tmp.mktemp("sqlite") / "fjc.sqlite3"
            return f"sqlite:///{path}"
        schema = f"fjc_test_{secrets.token_hex(6)}"
        admin = make_engine(pg_base_url())
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        self._schemas.append(schema)
        url = make_url(pg_base_url()).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def cleanup(self) -> None:
        if not self._schemas:
            return
        admin = make_engine(pg_base_url())
        # One transaction per schema: a DROP ... CASCADE takes a lock on every
        # table, index and constraint it removes, and all of a run's schemas
        # in one transaction outgrew PostgreSQL's shared lock table ("out of
        # shared memory", max_locks_per_transaction) once the model grew.
        for schema in self._schemas:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _postgres_reachable() -> str | None:
    """None when reachable, else why not."""
    try:
        engine = make_engine(pg_base_url())
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is reported
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory) -> Iterator[Backend]:
    if request.param == "postgresql":
        problem = _postgres_reachable()
        if problem:
            message = (
                f"PostgreSQL at {make_url(pg_base_url()).render_as_string()} is not reachable "
                f"({problem}); set FJC_TEST_DATABASE_URL or start PostgreSQL"
            )
            if UNDER_CI:
                pytest.fail(f"CI needs the PostgreSQL run: {message}")
            pytest.skip(f"skipping the PostgreSQL run: {message}")
    created = Backend(request.param, tmp_path_factory)
    yield created
    created.cleanup()


@pytest.fixture(scope="session")
def database_url(backend) -> str:
    """A database of the current backend, migrated to head, shared by a run."""
    url = backend.new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


class SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole run: every test builds an app of its
    own, and each new Jinja environment would compile every template again."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedBytecode()


def make_test_app(database_url: str, tmp_path, **overrides):
    config = {
        "FJC_ENV": "test",
        "FJC_DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-" + secrets.token_hex(8),
        "FJC_DATA_KEYS": [TEST_DATA_KEY],
        "FJC_INDEX_KEY": "test-index-key",
        "FJC_AUDIT_KEY": ["test-audit-key-of-the-whole-suite-0001"],
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "FJC_EXIT_URL": "https://exit.example/",
    }
    if overrides.get("FJC_ENV") == "production":
        config["FJC_PUBLIC_URL"] = "https://fjc.example"
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    return app


def app_on_own_database(backend, tmp_path, **overrides) -> Iterator:
    """An app on a new, migrated database of its own with its centre file's
    centres (the shared test database keeps the centres other tests made);
    for a fixture to yield from."""
    url = backend.new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = make_test_app(url, tmp_path, **overrides)
    app.test_client_class = CheckingClient
    with app.app_context(), db.writing() as session:
        ensure_centres(session, app.extensions[NETWORK_EXTENSION])
    yield app
    with app.app_context():
        db.get_engine().dispose()


@pytest.fixture
def app_factory(database_url, tmp_path):
    """Apps on this run's database with settings of the test's own; the data
    they leave behind is removed afterwards."""
    made = []

    def _make(**overrides):
        app = make_test_app(database_url, tmp_path / f"app{len(made)}", **overrides)
        app.test_client_class = CheckingClient
        with app.app_context(), db.writing() as session:
            # The centres of the app's own centre file (FJC_CENTRE_FILE).
            ensure_centres(session, app.extensions[NETWORK_EXTENSION])
        made.append(app)
        return app

    yield _make
    if made:
        with made[0].app_context(), db.writing() as session:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in KEPT_TABLES:
                    session.execute(delete(table))
    for app in made:
        with app.app_context():
            db.get_engine().dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    test_client = app.test_client()
    # Staff pages follow the browser's language; tests read them in English.
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def make_staff(app):
    def _make(role: str = "coordinator", email: str | None = None, name: str = "Test Staff"):
        email = email or f"{role}-{secrets.token_hex(3)}@fjc.example"
        with app.app_context(), db.writing() as session:
            staff = create_staff(session, email=email, name=name, role=role, password=TEST_PASSWORD)
            return staff.id, email

    return _make


@pytest.fixture
def signed_in(client, make_staff):
    """Sign a new account of the given role in on `client`; returns its id."""

    def _sign_in(role: str = "coordinator") -> int:
        staff_id, email = make_staff(role)
        response = client.submit("/staff/login", {"email": email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return staff_id

    return _sign_in


class FakeClock:
    """core.infra.clock.now under the test's control: time moves only when told."""

    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, **kwargs) -> None:
        self.current += timedelta(**kwargs)


def _test_start() -> datetime:
    """When the suite's clock starts: FJC_TEST_NOW (ISO 8601, e.g. 2031-02-28T23:30Z)
    to prove the tests pass on any date, else the real time now."""
    value = os.environ.get("FJC_TEST_NOW")
    if not value:
        return real_clock_now()
    start = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return start if start.tzinfo else start.replace(tzinfo=UTC)


real_clock_now = core_clock.now


@pytest.fixture(autouse=True)
def clock():
    """Every test reads core.infra.clock, frozen at the suite's start time; time moves
    only when told: `clock.advance(minutes=31)` or `clock.current = ...`."""
    fake = FakeClock(_test_start())
    # A patch of its own: the shared `monkeypatch` of an autouse fixture would be
    # undone only after the test's other fixtures, keeping their patches alive
    # while those fixtures clean up.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core_clock, "now", fake)
        yield fake
