"""Configuration from FJC_* environment variables (a contract: see DESIGN.md).

Development needs nothing set: secrets are generated once into instance/.
Production refuses to start when a secret or the database URL is missing,
because a generated secret there would silently lock people out of their data.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENVIRONMENTS = ("development", "production", "test")
# The portal's twelve languages, in the order of the language menu: Dutch (the
# default), Belgium's other official languages and English, then the languages
# most spoken by people the centres see. Staff pages stay nl/fr/en (web.i18n).
DEFAULT_LANGUAGES = ("nl", "fr", "de", "en", "ar", "tr", "pl", "ro", "bg", "uk", "ru", "fa")
DEFAULT_EXIT_URL = "https://www.google.be/"
# The portal's browser tab says only this, so a glance at the tab or the
# history list does not tell what the site is about.
DEFAULT_SITE_TITLE = "Info"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = PROJECT_ROOT / "instance"
SECRETS_FILE = "secrets.json"
# Requests that never became a case: erased this many days after closing.
DEFAULT_RETENTION_DAYS = 365
# Closed case files: kept this many years (docs/privacy.md says why five).
DEFAULT_CASE_RETENTION_YEARS = 5
# Anonymous feedback: kept this many months, counted from its month.
DEFAULT_FEEDBACK_RETENTION_MONTHS = 60
# Access requests (GDPR art. 15): kept this many days (three years) after the
# copy was given or the request refused, to show how it was answered.
DEFAULT_ACCESS_REQUEST_RETENTION_DAYS = 1095
# Retention per kind of request (its door) and per track of a case file: a
# setting of its own for one kind or track, falling back to the general one.
# Spelled out here (infra knows no model); a test checks them against
# IntakeKind and the case tracks.
RETENTION_KINDS = ("contact", "question", "referral", "young", "conversation")
RETENTION_DAYS_PREFIX = "FJC_RETENTION_DAYS_"
CASE_RETENTION_TRACKS = ("track_2", "track_3")
CASE_RETENTION_YEARS_PREFIX = "FJC_CASE_RETENTION_YEARS_"
# Counts below this are suppressed in figures that leave the coordinator's screen.
DEFAULT_SMALL_COUNT_THRESHOLD = 5
MIN_AUDIT_KEY_LENGTH = 32
# A centre's own data keys: FJC_DATA_KEYS_LEUVEN, FJC_DATA_KEYS_SINT_NIKLAAS.
CENTRE_KEYS_PREFIX = "FJC_DATA_KEYS_"
# The form of a centre's slug (core.network.centres checks the centre file).
_CENTRE_SLUG = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line for the operator."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"expected true or false, got {value!r}")


def _whole_number(env: Mapping[str, str], name: str, default: int, unit: str) -> int:
    """A retention period: a positive whole number, so a typo cannot mean "erase now"."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of {unit}") from None
    if value < 1:
        raise ConfigError(f"{name} must be a whole number of {unit}, 1 or more")
    return value


def _count(env: Mapping[str, str], name: str) -> int:
    """A whole number of 0 or more (0 when unset)."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return 0
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError(f"{name} must be a whole number, 0 or more")
    return int(raw)


def retention_days_variable(kind: str) -> str:
    """FJC_RETENTION_DAYS_<KIND>: requests of one door (FJC_RETENTION_DAYS_YOUNG)."""
    return RETENTION_DAYS_PREFIX + kind.upper()


def case_retention_years_variable(track: str) -> str:
    """FJC_CASE_RETENTION_YEARS_<TRACK>: case files of one track (..._TRACK_3)."""
    return CASE_RETENTION_YEARS_PREFIX + track.upper()


def _retention_overrides(env: Mapping[str, str]) -> dict[str, int | None]:
    """Every per-kind and per-track retention setting, None where unset (the
    general setting then applies). A name that matches no kind or track stops
    the start: a typo (FJC_RETENTION_DAYS_REFERAL) must not leave the operator
    believing a period is set that the purge never reads."""
    known = {retention_days_variable(kind): "days" for kind in RETENTION_KINDS}
    known.update({case_retention_years_variable(track): "years" for track in CASE_RETENTION_TRACKS})
    for name in sorted(env):
        if name.startswith((RETENTION_DAYS_PREFIX, CASE_RETENTION_YEARS_PREFIX)) and (
            name not in known
        ):
            raise ConfigError(
                f"{name} names no kind of request or track of case file (requests: "
                f"FJC_RETENTION_DAYS_<KIND>, KIND one of "
                f"{', '.join(kind.upper() for kind in RETENTION_KINDS)}; case files: "
                f"FJC_CASE_RETENTION_YEARS_<TRACK>, TRACK one of "
                f"{', '.join(track.upper() for track in CASE_RETENTION_TRACKS)})"
            )
    return {name: _optional_whole_number(env, name, unit) for name, unit in known.items()}


def _optional_whole_number(env: Mapping[str, str], name: str, unit: str) -> int | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    return _whole_number(env, name, 1, unit)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_database_url(url: str) -> None:
    """A URL SQLAlchemy can use, said in one line when it cannot: a typo here
    would otherwise surface as a long traceback at the first request."""
    if url.startswith("postgres://"):
        raise ConfigError(
            "FJC_DATABASE_URL starts with postgres://; write postgresql:// "
            "(or postgresql+psycopg2://) instead"
        )
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise ConfigError(
            "FJC_DATABASE_URL is not a database URL "
            "(expected sqlite:///PATH or postgresql://USER@HOST:PORT/NAME)"
        ) from None
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"FJC_DATABASE_URL names the {backend!r} database; use sqlite or postgresql"
        )


def _public_url(value: str | None) -> str | None:
    """The address people use (links in invitations are built from it, never
    from the request's Host header, which a client chooses)."""
    if not value:
        return None
    parsed = urlsplit(value.strip())
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.hostname
        or parsed.path not in ("", "/")
    ):
        raise ConfigError(
            "FJC_PUBLIC_URL must be the site's address without a path, "
            "for example https://hulp.example.be"
        )
    return f"{parsed.scheme}://{parsed.netloc}"


def _development_secrets(instance_dir: Path) -> dict[str, Any]:
    """Read, or create once, the secrets a development install keeps in instance/."""
    path = instance_dir / SECRETS_FILE
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    instance_dir.mkdir(parents=True, exist_ok=True)
    generated = {
        "secret_key": secrets.token_urlsafe(48),
        "data_keys": [Fernet.generate_key().decode("ascii")],
        "index_key": secrets.token_urlsafe(48),
        "audit_key": secrets.token_urlsafe(48),
    }
    # Written whole under a name of its own, then linked into place: two
    # processes starting at once must not write two different key sets, and
    # neither may read the file before it is complete (os.link fails if it exists).
    draft = instance_dir / f".{SECRETS_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(generated, handle)
    try:
        os.link(draft, path)
    except FileExistsError:
        return json.loads(path.read_text(encoding="utf-8"))
    finally:
        draft.unlink()
    return generated


def _check_data_keys(keys: list[str], name: str = "FJC_DATA_KEYS") -> None:
    for key in keys:
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError, AttributeError):
            raise ConfigError(
                f"{name} holds a value that is not a Fernet key "
                "(make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from None


def centre_keys_variable(slug: str) -> str:
    """FJC_DATA_KEYS_<SLUG>: the slug upper-cased, "-" written as "_"."""
    return CENTRE_KEYS_PREFIX + slug.upper().replace("-", "_")


def _centre_data_keys(env: Mapping[str, str]) -> dict[str, list[str]]:
    """{slug: keys} of every FJC_DATA_KEYS_<SLUG> set. Read for any slug, not
    only the centres in the centre file: a centre that left the file still
    needs its keys to be exported (ADR 0033). Slugs never hold "_", so the
    name gives the slug back."""
    found: dict[str, list[str]] = {}
    for name in sorted(env):
        if not name.startswith(CENTRE_KEYS_PREFIX):
            continue
        slug = name[len(CENTRE_KEYS_PREFIX) :].lower().replace("_", "-")
        if not _CENTRE_SLUG.match(slug) or centre_keys_variable(slug) != name:
            raise ConfigError(
                f"{name} names no centre slug (write FJC_DATA_KEYS_<SLUG>, "
                "for example FJC_DATA_KEYS_SINT_NIKLAAS for sint-niklaas)"
            )
        keys = _split(env[name])
        if not keys:
            raise ConfigError(f"{name} is empty; unset it to use FJC_DATA_KEYS for that centre")
        found[slug] = keys
    return found


def load_config(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Flask config from the environment, then apply overrides (tests)."""
    env = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    fjc_env = overrides.pop("FJC_ENV", None) or env.get("FJC_ENV", "development")
    if fjc_env not in ENVIRONMENTS:
        raise ConfigError(f"FJC_ENV must be one of {', '.join(ENVIRONMENTS)}, not {fjc_env!r}")
    instance_dir = Path(overrides.pop("INSTANCE_DIR", None) or INSTANCE_DIR)

    secret_key = overrides.pop("SECRET_KEY", None) or env.get("FJC_SECRET_KEY") or None
    data_keys = overrides.pop("FJC_DATA_KEYS", None) or _split(env.get("FJC_DATA_KEYS", ""))
    centre_data_keys = overrides.pop("FJC_CENTRE_DATA_KEYS", None)
    if centre_data_keys is None:
        centre_data_keys = _centre_data_keys(env)
    index_key = overrides.pop("FJC_INDEX_KEY", None) or env.get("FJC_INDEX_KEY") or None
    database_url = overrides.pop("FJC_DATABASE_URL", None) or env.get("FJC_DATABASE_URL") or None
    audit_keys = overrides.pop("FJC_AUDIT_KEY", None) or _split(env.get("FJC_AUDIT_KEY", ""))
    public_url = _public_url(overrides.pop("FJC_PUBLIC_URL", None) or env.get("FJC_PUBLIC_URL"))

    if fjc_env == "production":
        missing = [
            name
            for name, value in (
                ("FJC_SECRET_KEY", secret_key),
                ("FJC_DATA_KEYS", data_keys),
                # Derived from the secret key, it would change with it, and every
                # return code and blind index would stop matching.
                ("FJC_INDEX_KEY", index_key),
                # Without its own key the audit chain would be keyed by the
                # secret key, and rotating that would break the chain.
                ("FJC_AUDIT_KEY", audit_keys),
                ("FJC_DATABASE_URL", database_url),
                ("FJC_PUBLIC_URL", public_url),
            )
            if not value
        ]
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)} to be set")
        if any(len(key) < MIN_AUDIT_KEY_LENGTH for key in audit_keys):
            # Its hashes are in the database: a short key could be guessed offline.
            raise ConfigError(
                f"FJC_AUDIT_KEY must be at least {MIN_AUDIT_KEY_LENGTH} characters (make one "
                "with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
    elif not (secret_key and data_keys):
        generated = _development_secrets(instance_dir)
        secret_key = secret_key or generated["secret_key"]
        data_keys = data_keys or list(generated["data_keys"])
        index_key = index_key or generated["index_key"]
        # A secrets file from before the keyed audit chain has none: the key is
        # then derived from the secret key (core.infra.crypto).
        audit_keys = audit_keys or ([generated["audit_key"]] if "audit_key" in generated else [])

    if database_url is None:
        database_url = f"sqlite:///{instance_dir / 'fjc.sqlite3'}"
    _check_database_url(database_url)

    languages = _split(env.get("FJC_LANGUAGES", "")) or list(DEFAULT_LANGUAGES)
    retention_days = _whole_number(env, "FJC_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, "days")
    case_retention_years = _whole_number(
        env, "FJC_CASE_RETENTION_YEARS", DEFAULT_CASE_RETENTION_YEARS, "years"
    )

    feedback_retention_months = _whole_number(
        env, "FJC_FEEDBACK_RETENTION_MONTHS", DEFAULT_FEEDBACK_RETENTION_MONTHS, "months"
    )

    config: dict[str, Any] = {
        "FJC_ENV": fjc_env,
        "SECRET_KEY": secret_key,
        "FJC_DATA_KEYS": data_keys,
        # {slug: keys, newest first} of the centres with data keys of their own
        # (FJC_DATA_KEYS_<SLUG>); every other centre uses FJC_DATA_KEYS.
        "FJC_CENTRE_DATA_KEYS": {slug: list(keys) for slug, keys in centre_data_keys.items()},
        # Required in production (above). In development and tests, without its
        # own key the lookup key is derived from the secret key (core.infra.crypto).
        "FJC_INDEX_KEY": index_key,
        "FJC_DATABASE_URL": database_url,
        # Newest first, like FJC_DATA_KEYS: new audit events are keyed with the
        # first, and events keyed with an older one still verify. Required in
        # production; elsewhere, without one, it is derived from the secret key.
        "FJC_AUDIT_KEY": audit_keys,
        # Where `audit-verify` keeps the signed heads it checks on later runs.
        "FJC_AUDIT_ANCHOR_FILE": env.get("FJC_AUDIT_ANCHOR_FILE")
        or str(instance_dir / "audit-anchors.log"),
        # Required in production; in development links use the request's host.
        "FJC_PUBLIC_URL": public_url,
        "FJC_REDIS_URL": env.get("FJC_REDIS_URL") or None,
        # How long one live stream ("Talk now") stays open before the browser
        # reconnects with its last event id (web/live.py).
        "FJC_TALK_STREAM_SECONDS": _whole_number(env, "FJC_TALK_STREAM_SECONDS", 60, "seconds"),
        # PostgreSQL connections per worker process (the live server, with
        # hundreds of threads, asks for more: gunicorn.live.conf.py).
        "FJC_DATABASE_POOL_SIZE": _whole_number(env, "FJC_DATABASE_POOL_SIZE", 5, "connections"),
        # How many reverse proxies in front of the app to trust for X-Forwarded-*
        # (For, Proto, Host). 0: none, so a client cannot name its own address
        # in X-Forwarded-For and get fresh rate-limit counters.
        "FJC_PROXY_COUNT": _count(env, "FJC_PROXY_COUNT"),
        "RATELIMIT_ENABLED": _flag(env.get("FJC_RATELIMIT_ENABLED"), True),
        "FJC_EXIT_URL": env.get("FJC_EXIT_URL") or DEFAULT_EXIT_URL,
        "FJC_SITE_TITLE": env.get("FJC_SITE_TITLE") or DEFAULT_SITE_TITLE,
        "FJC_LANGUAGES": languages,
        "FJC_RETENTION_DAYS": retention_days,
        "FJC_CASE_RETENTION_YEARS": case_retention_years,
        "FJC_FEEDBACK_RETENTION_MONTHS": feedback_retention_months,
        "FJC_ACCESS_REQUEST_RETENTION_DAYS": _whole_number(
            env,
            "FJC_ACCESS_REQUEST_RETENTION_DAYS",
            DEFAULT_ACCESS_REQUEST_RETENTION_DAYS,
            "days",
        ),
        # FJC_RETENTION_DAYS_<KIND> and FJC_CASE_RETENTION_YEARS_<TRACK>: None
        # where unset, so the general setting applies (core.governance.retention).
        **_retention_overrides(env),
        # The team's promise for a first contact; the queue flags requests past it.
        "FJC_FIRST_CONTACT_TARGET_HOURS": _whole_number(
            env, "FJC_FIRST_CONTACT_TARGET_HOURS", 24, "hours"
        ),
        # The team's promise for a triage decision, for "share within target" on /staff/stats.
        "FJC_DECISION_TARGET_DAYS": _whole_number(env, "FJC_DECISION_TARGET_DAYS", 7, "days"),
        # Figures below this count are shown as "<5" to anyone but a coordinator
        # and in every export, so that no family can be recognised.
        "FJC_SMALL_COUNT_THRESHOLD": _whole_number(
            env, "FJC_SMALL_COUNT_THRESHOLD", DEFAULT_SMALL_COUNT_THRESHOLD, "people"
        ),
        # Optional: a short notice (no personal data) to the team for urgent requests.
        "FJC_SMTP_HOST": env.get("FJC_SMTP_HOST") or None,
        "FJC_SMTP_PORT": _whole_number(env, "FJC_SMTP_PORT", 25, "port"),
        "FJC_MAIL_FROM": env.get("FJC_MAIL_FROM") or "fjc-portal@localhost",
        "FJC_TEAM_EMAIL": _split(env.get("FJC_TEAM_EMAIL", "")),
        # The centre and its municipalities, loaded by `migrate` (core.network.centres).
        "FJC_CENTRE_FILE": env.get("FJC_CENTRE_FILE") or None,
        # The risk instrument (data/instruments/*.json) new assessments use.
        "FJC_RISK_INSTRUMENT": env.get("FJC_RISK_INSTRUMENT") or "fjc-risk",
        "INSTANCE_DIR": str(instance_dir),
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure everywhere but a developer's plain-http machine.
        "SESSION_COOKIE_SECURE": fjc_env != "development",
        "SESSION_COOKIE_NAME": "__Host-fjc" if fjc_env == "production" else "fjc",
        "WTF_CSRF_TIME_LIMIT": None,
        # Every staff account needs a second factor (TOTP) in production; in
        # development and tests it is optional.
        "FJC_REQUIRE_SECOND_FACTOR": fjc_env == "production",
        # Whether the start proves the keys open the stored data (core.governance.
        # key_check). Tests switch it on where they test it: most of them make
        # apps with other keys on one shared database on purpose.
        "FJC_CHECK_KEYS": fjc_env != "test",
        "TESTING": fjc_env == "test",
    }
    config.update(overrides)
    if not config["SECRET_KEY"]:
        raise ConfigError("a secret key is needed (FJC_SECRET_KEY)")
    if not config["FJC_DATA_KEYS"]:
        raise ConfigError("at least one data key is needed (FJC_DATA_KEYS)")
    _check_data_keys(list(config["FJC_DATA_KEYS"]))
    for slug, keys in config["FJC_CENTRE_DATA_KEYS"].items():
        _check_data_keys(list(keys), centre_keys_variable(slug))
    if "nl" not in config["FJC_LANGUAGES"]:
        raise ConfigError("FJC_LANGUAGES must include nl, the default language")
    # A code without a catalogue would show English under another language's name.
    unknown = [code for code in config["FJC_LANGUAGES"] if code not in DEFAULT_LANGUAGES]
    if unknown:
        raise ConfigError(
            f"FJC_LANGUAGES has unknown language {', '.join(unknown)}; "
            f"choose from {','.join(DEFAULT_LANGUAGES)}"
        )
    return config
