"""export-centre: every row of one centre, decrypted, in one JSON file.

For a centre that leaves the installation: another installation can import
the file, and erase-centre (core.governance.centre_erasure) then removes the
centre here. The rows are found through the one mapping of which row belongs
to which centre (core.network.centre_rows). The file holds the personal data
in plain text: it is written for the owner only (mode 0600), never over an
existing file, and under a temporary name until it is complete.

Shape: {"format", "version", "exported_at", "schema_revision", "centre": {...},
"tables": {table: [row, ...]}}, every row with all its columns as stored,
encrypted ones decrypted; times in ISO 8601. Ids are this installation's: a
reference to another centre's row (a member who works for both, the author of
a transferred file's history) stays an id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, inspect, select, text

from core.infra import clock
from core.model import Centre
from core.network.centre_rows import centre_tables, rows_of

FORMAT = "fjc-centre-export"
FORMAT_VERSION = 1
_BATCH = 1000


class CentreExitError(Exception):
    """The export or the erasure cannot go on; the message is one line."""


def export_centre(engine: Engine, slug: str, path: Path) -> dict[str, int]:
    """Write the centre's rows to `path`; returns the rows per table."""
    if path.exists():
        raise CentreExitError(f"{path} exists already; an export never overwrites a file")
    partial = path.with_name(path.name + ".partial")
    with _snapshot(engine) as connection:
        centre = (
            connection.execute(select(Centre.__table__).where(Centre.__table__.c.slug == slug))
            .mappings()
            .first()
        )
        if centre is None:
            raise CentreExitError(f"there is no centre with the slug {slug!r}")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CentreExitError(
                f"{partial} exists: another export is running, or remove it"
            ) from None
        try:
            os.chmod(partial, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                counts = _write(out, connection, dict(centre))
                out.flush()
                os.fsync(out.fileno())
            # A hard link does not replace a file made meanwhile, as rename would.
            os.link(partial, path)
        except FileExistsError:
            raise CentreExitError(
                f"{path} exists already; an export never overwrites a file"
            ) from None
        finally:
            partial.unlink(missing_ok=True)
    return counts


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent view of every table while the app may keep writing."""
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    # SQLite: the read transaction (BEGIN) holds one snapshot of the WAL.
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _write(out: IO[str], connection: Connection, centre: dict[str, Any]) -> dict[str, int]:
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": clock.now().isoformat(timespec="seconds"),
        "schema_revision": _revision(connection),
        "centre": _plain(centre),
    }
    # The header's own JSON without its closing brace, then the tables one
    # row at a time: a centre of 100,000 requests never sits in memory whole.
    out.write(json.dumps(header, ensure_ascii=False, sort_keys=True)[:-1])
    out.write(', "tables": {')
    counts: dict[str, int] = {}
    for number, model_table in enumerate(centre_tables()):
        out.write(("," if number else "") + "\n" + json.dumps(model_table.name) + ": [")
        query = rows_of(model_table, centre["id"]).order_by(*model_table.primary_key.columns)
        count = 0
        for row in connection.execute(query.execution_options(yield_per=_BATCH)).mappings():
            out.write(("," if count else "") + "\n" + json.dumps(_plain(row), ensure_ascii=False))
            count += 1
        out.write("]")
        counts[model_table.name] = count
    out.write("\n}}\n")
    return counts


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(name): _value(value) for name, value in row.items()}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def read_export(path: Path) -> dict[str, Any]:
    """The export as data (tests; an importer would stream it)."""
    return json.loads(path.read_text(encoding="utf-8"))
