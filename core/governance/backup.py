"""Encrypted backups that can be taken while the app runs, and their restore.

SQLite: the online backup API copies the database in one step into memory,
which gives a consistent snapshot while workers keep writing (WAL lets them).
PostgreSQL: pg_dump of the app's schema, itself one consistent snapshot.
Either way the plain copy only ever exists in memory: it is encrypted with the
newest data key (Fernet, the whole file at once: a centre's database is tens
of megabytes, and one token is simpler to get right than a chunked stream; a
database of several gigabytes would need a streamed format) and written to a
file only the owner may read.

The file is a magic line, then one Fernet token. Inside the token: a JSON
header line (backend, schema, Alembic revision, time) and the database itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import URL

from core.infra import clock
from core.infra.db import SQLITE_BUSY_TIMEOUT_MS
from core.model import Base, Centre, Municipality

MAGIC = b"FJC-BACKUP 1\n"
FORMAT_VERSION = 1
# Reference data that `migrate` loads: a database holding only these is empty.
REFERENCE_TABLES = frozenset({Centre.__tablename__, Municipality.__tablename__})
_SEARCH_PATH = re.compile(r"-c\s*search_path=([^\s]+)")
_MAJOR = re.compile(r"\(PostgreSQL\)\s+(\d+)")


class BackupError(Exception):
    """The backup or restore cannot go on; the message is one line for the operator."""


@dataclass(frozen=True)
class BackupInfo:
    backend: str
    schema: str | None
    revision: str | None
    created_at: str
    size: int


# -- the file ----------------------------------------------------------------


def _seal(data_key: str, header: dict[str, Any], payload: bytes) -> bytes:
    plain = json.dumps(header, sort_keys=True).encode("utf-8") + b"\n" + payload
    return MAGIC + Fernet(data_key.encode("ascii")).encrypt(plain)


def _open_sealed(data_keys: list[str], sealed: bytes, path: Path) -> tuple[dict[str, Any], bytes]:
    if not sealed.startswith(MAGIC):
        raise BackupError(f"{path} is not an FJC backup file")
    ring = MultiFernet([Fernet(key.encode("ascii")) for key in data_keys])
    try:
        plain = ring.decrypt(sealed[len(MAGIC) :])
    except InvalidToken:
        raise BackupError(
            f"{path} cannot be decrypted with the keys in FJC_DATA_KEYS "
            "(it was made under another key, or the file is damaged)"
        ) from None
    header_line, _, payload = plain.partition(b"\n")
    header = json.loads(header_line)
    if header.get("format") != FORMAT_VERSION:
        raise BackupError(f"{path} has backup format {header.get('format')}, expected 1")
    return header, payload


def _write_private(path: Path, content: bytes) -> None:
    """Write next to the target, then rename: a crash never leaves half a backup
    under the real name, and the file is never readable by others."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# -- shared helpers ------------------------------------------------------------


def _revision(engine: Engine) -> str | None:
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per model table that exists (no content, only counts)."""
    present = set(inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as connection:
        for model_table in Base.metadata.sorted_tables:
            if model_table.name in present:
                counts[model_table.name] = connection.execute(
                    select(func.count()).select_from(model_table)
                ).scalar_one()
    return counts


def holds_data(engine: Engine) -> int:
    """How many rows the database holds beyond the reference data."""
    return sum(n for name, n in row_counts(engine).items() if name not in REFERENCE_TABLES)


# -- SQLite ---------------------------------------------------------------------


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def _without_wal_flag(database: bytes) -> bytes:
    """Header bytes 18-19 say "WAL" (2) in a copy of a WAL database; an image in
    memory cannot use WAL, so mark it as a rollback-journal file (1), which is
    also what any sqlite3 tool expects of a standalone file."""
    if database[18:20] == b"\x02\x02":
        return database[:18] + b"\x01\x01" + database[20:]
    return database


def _sqlite_dump(url: URL) -> bytes:
    path = _sqlite_path(url)
    if not Path(path).is_file():
        # sqlite3.connect would create an empty database and back that up.
        raise BackupError(f"there is no database at {path}")
    source = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    memory = sqlite3.connect(":memory:")
    try:
        # pages=-1: all pages in one step under one read transaction, so the
        # copy is one consistent snapshot however busy the writers are.
        source.backup(memory, pages=-1)
        return _without_wal_flag(memory.serialize())
    finally:
        memory.close()
        source.close()


def _sqlite_restore(url: URL, payload: bytes) -> None:
    memory = sqlite3.connect(":memory:")
    target = sqlite3.connect(_sqlite_path(url), timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        memory.deserialize(_without_wal_flag(payload))
        if memory.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the SQLite database inside the backup is damaged")
        # The backup API replaces the target page by page under its write lock,
        # so no reader ever sees half of the old and half of the new database.
        memory.backup(target)
    finally:
        target.close()
        memory.close()


# -- PostgreSQL ----------------------------------------------------------------


def postgres_schema(url: URL) -> str:
    """The schema the app works in: the first of search_path in the URL's
    options (the tests use one schema per run), else public."""
    match = _SEARCH_PATH.search(str(url.query.get("options", "")))
    return match.group(1).split(",")[0].strip('"') if match else "public"


def _libpq_env(url: URL) -> dict[str, str]:
    """Connection settings for pg_dump/psql through the environment, so the
    password never shows in the process list."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode")),
    ):
        if value is not None:
            env[name] = str(value)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def tool_major(tool: str) -> int:
    output = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        [tool, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = _MAJOR.search(output)
    if match is None:
        raise BackupError(f"cannot tell the version of {tool} from {output.strip()!r}")
    return int(match.group(1))


def server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    return number // 10000


def _check_versions(engine: Engine, tool: str) -> None:
    """pg_dump refuses newer servers, and a dump from a newer pg_dump may not
    load into an older server: insist on the same major version, and say so."""
    client, server = tool_major(tool), server_major(engine)
    if client != server:
        raise BackupError(
            f"{Path(tool).name} is version {client} but the PostgreSQL server is version "
            f"{server}; install the client tools of version {server} "
            f"(Debian: postgresql-client-{server})"
        )


def _run(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> bytes:
    result = subprocess.run(args, input=stdin, capture_output=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {lines[-1] if lines else 'no message'}")
    return result.stdout


def _postgres_dump(engine: Engine, url: URL, schema: str) -> bytes:
    pg_dump = _tool("pg_dump")
    _check_versions(engine, pg_dump)
    # Plain SQL, one schema, no owners or grants: loads as whichever role restores it.
    args = [pg_dump, "--format=plain", "--no-owner", "--no-privileges", f"--schema={schema}"]
    return _run(args, _libpq_env(url))


def _postgres_restore(engine: Engine, url: URL, schema: str, payload: bytes) -> None:
    psql = _tool("psql")
    _check_versions(engine, psql)
    quoted = '"' + schema.replace('"', '""') + '"'
    # The dump creates the schema itself; dropping it first makes the result
    # exactly the backup, and one transaction means a failed load changes nothing.
    script = f"DROP SCHEMA IF EXISTS {quoted} CASCADE;\n".encode() + payload
    args = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"]
    _run(args, _libpq_env(url), stdin=script)


# -- the two operations -----------------------------------------------------------


def backup(engine: Engine, data_keys: list[str], path: Path) -> BackupInfo:
    url = engine.url
    backend = url.get_backend_name()
    schema = None
    if backend == "sqlite":
        payload = _sqlite_dump(url)
    elif backend == "postgresql":
        schema = postgres_schema(url)
        payload = _postgres_dump(engine, url, schema)
    else:
        raise BackupError(f"backups of {backend} databases are not supported")
    # Read after the dump: the revision cannot change while the app runs.
    revision = _revision(engine)
    created_at = clock.now().isoformat(timespec="seconds")
    header = {
        "format": FORMAT_VERSION,
        "backend": backend,
        "schema": schema,
        "revision": revision,
        "created_at": created_at,
    }
    sealed = _seal(data_keys[0], header, payload)
    _write_private(path, sealed)
    return BackupInfo(backend, schema, revision, created_at, len(sealed))


def read_backup(data_keys: list[str], path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        sealed = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    return _open_sealed(data_keys, sealed, path)


def restore(engine: Engine, data_keys: list[str], path: Path, *, force: bool = False) -> BackupInfo:
    """Replace the database with the backup. Refuses a database that holds data
    unless `force`: a restore throws away everything written after the backup."""
    header, payload = read_backup(data_keys, path)
    url = engine.url
    backend = url.get_backend_name()
    if header["backend"] != backend:
        raise BackupError(f"{path} is a {header['backend']} backup; this database is {backend}")
    # The dump names its schema in every statement: it only loads into that one.
    schema = postgres_schema(url) if backend == "postgresql" else None
    if header["schema"] != schema:
        raise BackupError(
            f"{path} holds schema {header['schema']!r} but this database uses {schema!r}"
        )
    if not force:
        rows = holds_data(engine)
        if rows:
            raise BackupError(
                f"the database already holds data ({rows} rows) and a restore replaces all "
                "of it; run again with --force to do that"
            )
    # Our own pooled connections must not hold the old database open.
    engine.dispose()
    if schema is None:
        _sqlite_restore(url, payload)
    else:
        _postgres_restore(engine, url, schema, payload)
    engine.dispose()
    created = datetime.fromisoformat(header["created_at"]).isoformat(timespec="seconds")
    return BackupInfo(backend, header["schema"], header["revision"], created, len(payload))
