"""Re-encrypting a request or a case file under the keys of the centre it moves to.

A transfer calls these once the record belongs to the receiving centre, in
the same transaction: every encrypted value of the record and of every row
that hangs from it (core.network.centre_rows) is re-encrypted under the
receiving centre's newest data key, so the sending centre's keys no longer
open it. The values do not change, only their tokens: the ORM objects in the
session stay right.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    Text,
    column,
    select,
    table,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from core.infra.crypto import EncryptedJSON, EncryptedText, keyring
from core.model import Base, Case, CaseIntake, Centre, Conversation, Intake
from core.network.centre_rows import descends_from

ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)


def rekey_intake(session: Session, intake: Intake, to_centre: Centre) -> int:
    """Re-encrypt the request and its rows under `to_centre`'s newest key;
    returns how many values were re-encrypted."""
    session.flush()  # pending changes first: they would be written after us
    count = _rekey_tree(session, Base.metadata.tables[Intake.__tablename__], [intake.id], to_centre)
    return count + _conversations_along(session, [intake.id], to_centre)


def rekey_case(session: Session, case: Case, to_centre: Centre) -> int:
    """Re-encrypt the case file, every row of it and the requests it was
    opened from under `to_centre`'s newest key; returns the values re-encrypted."""
    session.flush()
    count = _rekey_tree(session, Base.metadata.tables[Case.__tablename__], [case.id], to_centre)
    intake_ids = list(
        session.scalars(select(CaseIntake.intake_id).where(CaseIntake.case_id == case.id))
    )
    if intake_ids:
        count += _rekey_tree(
            session, Base.metadata.tables[Intake.__tablename__], intake_ids, to_centre
        )
        count += _conversations_along(session, intake_ids, to_centre)
    return count


def _conversations_along(session: Session, intake_ids: Sequence[int], to_centre: Centre) -> int:
    """A "Talk now" request's conversation belongs to its centre by its own
    centre_id (it exists before the request does): it moves with the
    request, and its transcript is re-encrypted with it."""
    ids = list(
        session.scalars(select(Conversation.id).where(Conversation.intake_id.in_(intake_ids)))
    )
    if not ids:
        return 0
    session.execute(
        update(Conversation).where(Conversation.id.in_(ids)).values(centre_id=to_centre.id)
    )
    return _rekey_tree(session, Base.metadata.tables[Conversation.__tablename__], ids, to_centre)


def _rekey_tree(session: Session, root: Table, ids: Sequence[int], to_centre: Centre) -> int:
    count = _rekey_rows(session, root, root.c.id.in_(ids), to_centre)
    for model_table in Base.metadata.sorted_tables:
        below = descends_from(model_table, root, ids)
        if below is not None:
            count += _rekey_rows(session, model_table, below, to_centre)
    return count


def _rekey_rows(
    session: Session, model_table: Table, where: ColumnElement[bool], to_centre: Centre
) -> int:
    columns = [c for c in model_table.columns if isinstance(c.type, ENCRYPTED_TYPES)]
    if not columns:
        return 0
    primary = next(iter(model_table.primary_key.columns))
    # The tokens as stored: through the column type they would be decrypted.
    query = select(primary, *(type_coerce(c, Text).label(c.name) for c in columns)).where(where)
    # The same table with plain text columns, so writing stores the token as is.
    raw = table(
        model_table.name, column(primary.name, Integer), *(column(c.name, Text) for c in columns)
    )
    ring = keyring().rotating_ring(to_centre.slug)
    count = 0
    for row in session.execute(query).mappings().all():
        changes = {
            c.name: ring.rotate(row[c.name].encode("ascii")).decode("ascii")
            for c in columns
            if row[c.name] is not None
        }
        if changes:
            session.execute(
                raw.update().where(raw.c[primary.name] == row[primary.name]).values(changes)
            )
            count += len(changes)
    return count
