"""Proof that the configured keys open this database's data.

A different but valid Fernet key is accepted by every check of its form, and
an app started with it would take requests it can never read with the right
key. So the first start on an empty database writes a canary (a known text
under the data keys, its keyed hash under the index key), and every later
start and /healthz check it. On a database from before the canary, the first
start writes one only after it has read an existing encrypted value.

A centre with data keys of its own (FJC_DATA_KEYS_<SLUG>) gets a canary of
its own under its newest key, the first time that key is seen: a later start
without that key (a deploy that lost the variable) is refused, even while
FJC_DATA_KEYS still opens the centre's older data. Rotation moves a centre's
canaries under its newest key with its rows.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Integer, Text, column, func, inspect, select, table, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.governance.rotation import encrypted_columns
from core.infra import clock
from core.infra.config import centre_keys_variable
from core.infra.crypto import encrypting_for, keyring
from core.model import Base, Centre, KeyCanary
from core.network.centre_rows import LEADS_TO_CENTRE, of_centre

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
    """Whether the keys open the canaries; True while there is none yet."""
    canary = _read_canary(session)
    if canary is None:
        return True
    if _problem(canary.sealed, canary.index_digest) is not None:
        return False
    return not _centre_problems(session)


def check_or_seal(session: Session) -> None:
    """At start: raise WrongKeys unless the keys open the data; write the
    canary when there is none (the caller commits)."""
    canary = _read_canary(session)
    if canary is not None:
        problem = _problem(canary.sealed, canary.index_digest)
        if problem:
            raise WrongKeys(problem)
        _check_or_seal_centres(session)
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
        return
    _check_or_seal_centres(session)


def _wrong_centre_keys(slug: str) -> str:
    return (
        f"{centre_keys_variable(slug)} cannot decrypt the data of centre {slug}: "
        "the key it was written with is missing (add it after the newest)"
    )


def _centre_canaries(session: Session) -> dict[int, list[str]]:
    """{centre id: raw sealed tokens} of the centres' own canaries."""
    raw = table(KeyCanary.__tablename__, column("sealed", Text), column("centre_id", Integer))
    found: dict[int, list[str]] = {}
    for sealed, centre_id in session.execute(
        select(raw.c.sealed, raw.c.centre_id).where(raw.c.centre_id.is_not(None))
    ):
        found.setdefault(centre_id, []).append(sealed)
    return found


def _opens(token: str) -> bool:
    try:
        return keyring().decrypt(token) == CANARY_TEXT
    except InvalidToken:
        return False


def _centre_problems(session: Session) -> list[str]:
    """A centre whose canary no configured key opens: the key its data were
    last written with is gone (its FJC_DATA_KEYS_<SLUG> was lost or changed)."""
    canaries = _centre_canaries(session)
    if not canaries:
        return []
    slugs = {
        centre_id: slug
        for centre_id, slug in session.execute(
            select(Centre.id, Centre.slug).where(Centre.id.in_(canaries))
        )
    }
    return [
        _wrong_centre_keys(slugs[centre_id])
        for centre_id, tokens in sorted(canaries.items())
        if not all(_opens(token) for token in tokens)
    ]


def _check_or_seal_centres(session: Session) -> None:
    columns = inspect(session.connection()).get_columns(KeyCanary.__tablename__)
    if not any(found["name"] == "centre_id" for found in columns):
        return  # a start before `migrate` reached 0016: the centres' canaries come then
    problems = _centre_problems(session)
    if problems:
        raise WrongKeys(problems[0])
    canaries = _centre_canaries(session)
    own = keyring().centre_keys
    for centre_id, slug in session.execute(select(Centre.id, Centre.slug).order_by(Centre.id)):
        if slug not in own:
            continue
        newest = Fernet(own[slug][0].encode("ascii"))
        if any(_under(newest, token) for token in canaries.get(centre_id, [])):
            continue
        if centre_id not in canaries and not _opens_a_sample(session, centre_id):
            raise WrongKeys(_wrong_centre_keys(slug))
        _seal_centre(session, centre_id, slug)


def _under(key: Fernet, token: str) -> bool:
    try:
        key.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def _seal_centre(session: Session, centre_id: int, slug: str) -> None:
    """A canary under the centre's newest key (the first start that has it)."""
    # An id of its own: the installation's canary took id 1 without the
    # sequence knowing (PostgreSQL), so the next id is counted here.
    next_id = (session.scalar(select(func.max(KeyCanary.id))) or _CANARY_ID) + 1
    try:
        with encrypting_for(slug), session.begin_nested():
            session.add(
                KeyCanary(
                    id=next_id,
                    sealed=CANARY_TEXT,
                    index_digest=keyring().lookup_key(_INDEX_PURPOSE, CANARY_TEXT),
                    centre_id=centre_id,
                    created_at=clock.now(),
                )
            )
    except IntegrityError:
        # Another worker starting at the same moment sealed one: theirs will do.
        pass


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


def _opens_a_sample(session: Session, centre_id: int | None = None) -> bool:
    """Whether one existing encrypted value (of the centre, if given), if there
    is any, decrypts."""
    for model_table, columns in encrypted_columns(Base.metadata):
        if model_table.name == KeyCanary.__tablename__:
            continue
        if centre_id is not None and model_table.name not in LEADS_TO_CENTRE:
            continue
        for encrypted in columns:
            # The token as stored: through the column type it would be decrypted.
            stored = type_coerce(encrypted, Text)
            query = select(stored).where(encrypted.is_not(None)).limit(1)
            if centre_id is not None:
                query = query.where(of_centre(model_table, centre_id))
            token = session.scalar(query)
            if token is None:
                continue
            try:
                keyring().decrypt(token)
            except InvalidToken:
                return False
            return True
    return True
