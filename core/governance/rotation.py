"""Key rotation: re-encrypt every encrypted value under the newest data key.

The columns are found by walking the model metadata for EncryptedText and
EncryptedJSON, so a table added later is covered without touching this file.
Work goes in batches by primary key, one transaction per batch, so the app can
keep running and an interrupted run keeps what it did. A value that the newest
key alone already decrypts is left as it is: that is what makes a second run
cheap and lets it pick up where an interrupted one stopped (a Fernet token does
not name its key, so trying the newest key is the only way to tell).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, column, select, table
from sqlalchemy.sql.expression import TableClause

from core.infra.crypto import EncryptedJSON, EncryptedText
from core.infra.db import BEGIN_IMMEDIATE_OPTION

ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)
DEFAULT_BATCH_SIZE = 500


class RotationError(Exception):
    """A value no configured key can decrypt; the message names no content."""


@dataclass
class TableReport:
    rows: int = 0
    rotated: int = 0
    current: int = 0


@dataclass
class RotationReport:
    tables: dict[str, TableReport] = field(default_factory=dict)

    @property
    def rotated(self) -> int:
        return sum(report.rotated for report in self.tables.values())

    @property
    def current(self) -> int:
        return sum(report.current for report in self.tables.values())


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, list[Column]]]:
    """Every table with encrypted columns, and those columns, in a stable order."""
    found = []
    for model_table in metadata.sorted_tables:
        columns = [c for c in model_table.columns if isinstance(c.type, ENCRYPTED_TYPES)]
        if columns:
            primary = list(model_table.primary_key.columns)
            if len(primary) != 1:
                raise RotationError(f"{model_table.name}: rotation needs a one-column primary key")
            found.append((model_table, columns))
    return found


def _raw_view(model_table: Table, columns: Sequence[Column]) -> tuple[TableClause, str]:
    """The same table with the encrypted columns as plain text: rotation moves
    tokens around and must not let the column type decrypt or re-encrypt them."""
    primary = next(iter(model_table.primary_key.columns)).name
    view = table(
        model_table.name,
        column(primary, Integer),
        *(column(c.name, Text) for c in columns),
        schema=model_table.schema,
    )
    return view, primary


def rotate(
    engine: Engine,
    data_keys: Sequence[str],
    metadata: MetaData,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    after_batch: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Re-encrypt under data_keys[0] every value not already under it.

    `after_batch(table_name, last_id)` runs after each committed batch (progress
    output; tests use it to simulate an interruption).
    """
    newest = Fernet(data_keys[0].encode("ascii"))
    ring = MultiFernet([Fernet(key.encode("ascii")) for key in data_keys])
    writer = engine.execution_options(**{BEGIN_IMMEDIATE_OPTION: True})
    report = RotationReport()
    for model_table, columns in encrypted_columns(metadata):
        view, primary = _raw_view(model_table, columns)
        pk = view.c[primary]
        table_report = report.tables.setdefault(model_table.name, TableReport())
        last_id: int | None = None
        while True:
            query = select(view).order_by(pk).limit(batch_size)
            if last_id is not None:
                query = query.where(pk > last_id)
            if engine.dialect.name == "postgresql":
                # A concurrent edit between our read and write would be lost.
                query = query.with_for_update()
            # On SQLite, BEGIN IMMEDIATE takes the write lock before the read.
            with writer.begin() as connection:
                rows = connection.execute(query).mappings().all()
                for row in rows:
                    changes = {}
                    for col in columns:
                        token = row[col.name]
                        if token is None:
                            continue
                        if _under_newest(newest, token):
                            table_report.current += 1
                            continue
                        changes[col.name] = _rotated(ring, token, model_table.name, col.name)
                    if changes:
                        connection.execute(view.update().where(pk == row[primary]).values(changes))
                        table_report.rotated += len(changes)
                table_report.rows += len(rows)
            if not rows:
                break
            last_id = rows[-1][primary]
            if after_batch is not None:
                after_batch(model_table.name, last_id)
            if len(rows) < batch_size:
                break
    return report


def _under_newest(newest: Fernet, token: str) -> bool:
    try:
        newest.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def _rotated(ring: MultiFernet, token: str, table_name: str, column_name: str) -> str:
    try:
        return ring.rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise RotationError(
            f"{table_name}.{column_name}: a value no key in FJC_DATA_KEYS can decrypt; "
            "add the key it was written with (after the newest) and run again"
        ) from None
