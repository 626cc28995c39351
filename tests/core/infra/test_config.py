import os
import stat
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from core.infra.config import PROJECT_ROOT, ConfigError, load_config

KEY = Fernet.generate_key().decode()


def test_production_refuses_to_start_without_secrets_and_names_them(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config({"FJC_ENV": "production"}, {"INSTANCE_DIR": tmp_path})
    message = str(caught.value)
    assert "FJC_SECRET_KEY" in message
    assert "FJC_DATA_KEYS" in message
    assert "FJC_DATABASE_URL" in message
    assert "FJC_INDEX_KEY" in message
    assert "FJC_AUDIT_KEY" in message
    assert "FJC_PUBLIC_URL" in message
    assert "\n" not in message
    assert not (tmp_path / "secrets.json").exists(), "production must not generate secrets"


def test_production_needs_an_explicit_database_url(tmp_path):
    env = {
        "FJC_ENV": "production",
        "FJC_SECRET_KEY": "s" * 40,
        "FJC_DATA_KEYS": KEY,
        "FJC_INDEX_KEY": "i" * 40,
        "FJC_AUDIT_KEY": "a" * 40,
        "FJC_PUBLIC_URL": "https://hulp.example.be",
    }
    with pytest.raises(ConfigError, match="production needs FJC_DATABASE_URL to be set"):
        load_config(env, {"INSTANCE_DIR": tmp_path})


def test_production_starts_with_secrets_and_hardened_cookies(tmp_path):
    env = {
        "FJC_ENV": "production",
        "FJC_SECRET_KEY": "s" * 40,
        "FJC_DATA_KEYS": f"{KEY}, {Fernet.generate_key().decode()}",
        "FJC_INDEX_KEY": "i" * 40,
        "FJC_AUDIT_KEY": "a" * 40,
        "FJC_PUBLIC_URL": "https://hulp.example.be",
        "FJC_DATABASE_URL": "postgresql+psycopg://fjc@db/fjc",
    }
    config = load_config(env, {"INSTANCE_DIR": tmp_path})
    assert config["FJC_DATA_KEYS"][0] == KEY
    assert len(config["FJC_DATA_KEYS"]) == 2
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_development_generates_secrets_once_into_instance(tmp_path):
    first = load_config({}, {"INSTANCE_DIR": tmp_path})
    second = load_config({}, {"INSTANCE_DIR": tmp_path})
    secrets_file = tmp_path / "secrets.json"
    assert secrets_file.exists()
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["FJC_DATA_KEYS"] == second["FJC_DATA_KEYS"]
    assert first["FJC_DATABASE_URL"] == f"sqlite:///{tmp_path / 'fjc.sqlite3'}"


def test_environment_variables_are_read(tmp_path):
    env = {
        "FJC_EXIT_URL": "https://weather.example/",
        "FJC_LANGUAGES": "nl, en",
        "FJC_RATELIMIT_ENABLED": "false",
        "FJC_RETENTION_DAYS": "30",
        "FJC_REDIS_URL": "redis://127.0.0.1:6379/3",
    }
    config = load_config(env, {"INSTANCE_DIR": tmp_path})
    assert config["FJC_EXIT_URL"] == "https://weather.example/"
    assert config["FJC_LANGUAGES"] == ["nl", "en"]
    assert config["RATELIMIT_ENABLED"] is False
    assert config["FJC_RETENTION_DAYS"] == 30
    assert config["FJC_REDIS_URL"] == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"FJC_ENV": "staging"}, "FJC_ENV"),
        ({"FJC_DATA_KEYS": "not-a-key"}, "Fernet"),
        ({"FJC_RETENTION_DAYS": "a year"}, "FJC_RETENTION_DAYS"),
        ({"FJC_RATELIMIT_ENABLED": "maybe"}, "true or false"),
        ({"FJC_LANGUAGES": "fr,en"}, "nl"),
        ({"FJC_LANGUAGES": "nl,xx"}, "unknown language xx"),
    ],
)
def test_bad_values_are_refused_with_a_reason(tmp_path, env, fragment):
    env = {"FJC_SECRET_KEY": "x" * 40, **env}
    with pytest.raises(ConfigError, match=fragment):
        load_config(env, {"INSTANCE_DIR": tmp_path})


def test_wsgi_exits_with_one_line_in_production_without_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FJC_")}
    env["FJC_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, "the status that stops gunicorn instead of a restart loop"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "FJC configuration error: production needs FJC_SECRET_KEY" in lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "write postgresql:// "),
        ("not a url", "is not a database URL"),
        ("mysql://u@h/db", "names the 'mysql' database"),
    ],
)
def test_a_database_url_that_cannot_work_is_refused_in_one_line(tmp_path, url, expected):
    with pytest.raises(ConfigError, match=expected) as caught:
        load_config({"FJC_DATABASE_URL": url}, {"INSTANCE_DIR": tmp_path})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["hulp.example.be", "https://hulp.example.be/portal", "ftp://hulp.example.be"]
)
def test_the_public_url_is_an_address_without_a_path(tmp_path, url):
    with pytest.raises(ConfigError, match="FJC_PUBLIC_URL must be"):
        load_config({"FJC_PUBLIC_URL": url}, {"INSTANCE_DIR": tmp_path})


def test_the_public_url_loses_a_trailing_slash(tmp_path):
    config = load_config({"FJC_PUBLIC_URL": "https://hulp.example.be/"}, {"INSTANCE_DIR": tmp_path})
    assert config["FJC_PUBLIC_URL"] == "https://hulp.example.be"


def test_a_short_audit_key_is_refused_in_production(tmp_path):
    env = {
        "FJC_ENV": "production",
        "FJC_SECRET_KEY": "s" * 40,
        "FJC_DATA_KEYS": KEY,
        "FJC_INDEX_KEY": "i" * 40,
        "FJC_AUDIT_KEY": "a" * 40 + ",short",
        "FJC_PUBLIC_URL": "https://hulp.example.be",
        "FJC_DATABASE_URL": "postgresql+psycopg://fjc@db/fjc",
    }
    with pytest.raises(ConfigError, match="FJC_AUDIT_KEY must be at least 32 characters"):
        load_config(env, {"INSTANCE_DIR": tmp_path})


def test_starts_at_once_read_one_whole_key_set(tmp_path):
    """xdist workers, or gunicorn workers of a development install, starting
    together: each reads the one complete key set, none a half-written file."""
    from concurrent.futures import ThreadPoolExecutor

    from core.infra.config import _development_secrets

    for attempt in range(20):
        instance = tmp_path / f"instance{attempt}"
        with ThreadPoolExecutor(max_workers=8) as pool:
            found = list(pool.map(_development_secrets, [instance] * 8))
        assert all(keys == found[0] for keys in found)
        assert [p.name for p in instance.iterdir()] == ["secrets.json"]
