"""Key rotation: re-encrypt every encrypted value under the newest data key.

The columns are found by walking the model metadata for EncryptedText and
EncryptedJSON, so a table added later is covered without touching this file.
Work goes in batches by primary key, one transaction per batch, so the app can
keep running and an interrupted run keeps what it did. A value that the newest
key alone already decrypts is left as it is: that is what makes a second run
cheap and lets it pick up where an interrupted one stopped (a Fernet token does
not name its key, so trying the newest key is the only way to tell).

With keys per centre (FJC_DATA_KEYS_<SLUG>), "the newest key" is the newest
key of the row's centre, found through core.network.centre_rows: one pass
over each table puts every row under its own centre's newest key, whichever
key it was written with (a value written for the wrong centre is put right).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, column, select, table
from sqlalchemy.sql.expression import TableClause

from core.infra.crypto import EncryptedJSON, EncryptedText
from core.infra.db import BEGIN_IMMEDIATE_OPTION
from core.network.centre_rows import LEADS_TO_CENTRE, centre_of

ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)
DEFAULT_BATCH_SIZE = 500
# The label of the row's centre id in a batch's query.
_CENTRE = "fjc_row_centre"


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
    # Values re-encrypted per centre id with keys of its own (None: the rest).
    centres: dict[int | None, int] = field(default_factory=dict)

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


def _raw_view(
    model_table: Table, columns: Sequence[Column], lead: str | None = None
) -> tuple[TableClause, str]:
    """The same table with the encrypted columns as plain text: rotation moves
    tokens around and must not let the column type decrypt or re-encrypt them.
    `lead`: the column that leads to the row's centre, selected as well."""
    primary = next(iter(model_table.primary_key.columns)).name
    extra = [column(lead, Integer)] if lead and lead != primary else []
    view = table(
        model_table.name,
        column(primary, Integer),
        *extra,
        *(column(c.name, Text) for c in columns),
        schema=model_table.schema,
    )
    return view, primary


class _Rings:
    """The newest key and the opening ring for a row of each centre."""

    def __init__(self, data_keys: Sequence[str], centre_keys: Mapping[int, Sequence[str]]):
        every = list(
            dict.fromkeys([*data_keys, *(k for keys in centre_keys.values() for k in keys)])
        )
        self._default = (Fernet(data_keys[0].encode("ascii")), _ring(every))
        self._centres = {
            centre_id: (
                Fernet(keys[0].encode("ascii")),
                _ring(list(dict.fromkeys([*keys, *every]))),
            )
            for centre_id, keys in centre_keys.items()
        }

    def owner(self, centre_id: int | None) -> int | None:
        """Whose newest key the row goes under: its centre's, or None (FJC_DATA_KEYS)."""
        return centre_id if centre_id in self._centres else None

    def of(self, owner: int | None) -> tuple[Fernet, MultiFernet]:
        return self._default if owner is None else self._centres[owner]


def _ring(keys: Sequence[str]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def rotate(
    engine: Engine,
    data_keys: Sequence[str],
    metadata: MetaData,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    after_batch: Callable[[str, int], None] | None = None,
    centre_keys: Mapping[int, Sequence[str]] | None = None,
) -> RotationReport:
    """Re-encrypt under data_keys[0] every value not already under it; a row
    of a centre in `centre_keys` (centre id -> its keys, newest first) under
    that centre's newest key instead.

    `after_batch(table_name, last_id)` runs after each committed batch (progress
    output; tests use it to simulate an interruption).
    """
    rings = _Rings(data_keys, centre_keys or {})
    writer = engine.execution_options(**{BEGIN_IMMEDIATE_OPTION: True})
    report = RotationReport()
    for model_table, columns in encrypted_columns(metadata):
        # Without centre keys every row goes under FJC_DATA_KEYS: no need to
        # find its centre (and a table outside the model has none).
        lead = LEADS_TO_CENTRE.get(model_table.name) if centre_keys else None
        view, primary = _raw_view(model_table, columns, lead)
        pk = view.c[primary]
        table_report = report.tables.setdefault(model_table.name, TableReport())
        last_id: int | None = None
        while True:
            query = select(view).order_by(pk).limit(batch_size)
            if lead is not None:
                query = query.add_columns(centre_of(model_table, via=view.c[lead]).label(_CENTRE))
            if last_id is not None:
                query = query.where(pk > last_id)
            if engine.dialect.name == "postgresql":
                # A concurrent edit between our read and write would be lost.
                query = query.with_for_update()
            # On SQLite, BEGIN IMMEDIATE takes the write lock before the read.
            with writer.begin() as connection:
                rows = connection.execute(query).mappings().all()
                for row in rows:
                    owner = rings.owner(row[_CENTRE] if lead is not None else None)
                    newest, ring = rings.of(owner)
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
                        report.centres[owner] = report.centres.get(owner, 0) + len(changes)
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
            f"{table_name}.{column_name}: a value no key in FJC_DATA_KEYS can decrypt "
            "(nor one in any FJC_DATA_KEYS_<SLUG>); "
            "add the key it was written with (after the newest) and run again"
        ) from None
