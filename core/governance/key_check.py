"""Proof that the configured keys open this database's data.

A different but valid Fernet key is accepted by every check of its form, and
an app started with it would take requests it can never read with the right
key. So the first start on an empty database writes a canary (a known text
under the data keys, its keyed hash under the index key), and every later
start and /healthz check it. On a database from before the canary, the first
start writes one only after it has read an existing encrypted value.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from sqlalchemy import Integer, Text, column, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.governance.rotation import encrypted_columns
from core.infra import clock
from core.infra.crypto import keyring
from core.model import Base, KeyCanary

CANARY_TEXT = "fjc-key-canary"
_CANARY_ID = 1
_INDEX_PURPOSE = "key-canary"


class WrongKeys(Exception):
    """The configured keys do not open this database; the message is one line."""


WRONG_DATA_KEYS = (
    "FJC_DATA_KEYS cannot decrypt this database's data: "
    "the key it was written with is missing (add it after the newest)"
)
WRONG_INDEX_KEY = "FJC_INDEX_KEY is not the key this database's return codes were made with"


def verify(session: Session) -> bool:
    """Whether the keys open the canary; True while there is none yet."""
    canary = _read_canary(session)
    if canary is None:
        return True
    return _problem(canary.sealed, canary.index_digest) is None


def check_or_seal(session: Session) -> None:
    """At start: raise WrongKeys unless the keys open the data; write the
    canary when there is none (the caller commits)."""
    canary = _read_canary(session)
    if canary is not None:
        problem = _problem(canary.sealed, canary.index_digest)
        if problem:
            raise WrongKeys(problem)
        return
    if not _opens_a_sample(session):
        raise WrongKeys(WRONG_DATA_KEYS)
    session.add(
        KeyCanary(
            id=_CANARY_ID,
            sealed=CANARY_TEXT,
            index_digest=keyring().lookup_key(_INDEX_PURPOSE, CANARY_TEXT),
            created_at=clock.now(),
        )
    )
    try:
        session.flush()
    except IntegrityError:
        # Another worker starting at the same moment wrote it first: check theirs.
        session.rollback()
        canary = _read_canary(session)
        problem = canary and _problem(canary.sealed, canary.index_digest)
        if problem:
            raise WrongKeys(problem) from None


def _read_canary(session: Session):
    # The raw token: through the model, the column type would decrypt it and
    # a wrong key would raise there instead of being reported.
    raw = table(
        KeyCanary.__tablename__,
        column("id", Integer),
        column("sealed", Text),
        column("index_digest", Text),
    )
    return session.execute(
        select(raw.c.sealed, raw.c.index_digest).where(raw.c.id == _CANARY_ID)
    ).first()


def _problem(sealed: str, index_digest: str) -> str | None:
    try:
        opened = keyring().decrypt(sealed)
    except InvalidToken:
        return WRONG_DATA_KEYS
    if opened != CANARY_TEXT:
        return WRONG_DATA_KEYS
    if keyring().lookup_key(_INDEX_PURPOSE, CANARY_TEXT) != index_digest:
        return WRONG_INDEX_KEY
    return None


def _opens_a_sample(session: Session) -> bool:
    """Whether one existing encrypted value, if there is any, decrypts."""
    for model_table, columns in encrypted_columns(Base.metadata):
        if model_table.name == KeyCanary.__tablename__:
            continue
        for encrypted in columns:
            raw = table(model_table.name, column(encrypted.name, Text))
            token = session.scalar(
                select(raw.c[encrypted.name]).where(raw.c[encrypted.name].is_not(None)).limit(1)
            )
            if token is None:
                continue
            try:
                keyring().decrypt(token)
            except InvalidToken:
                return False
            return True
    return True
