"""A centre's own data keys (FJC_DATA_KEYS_<SLUG>) as the network sees them.

The key ring itself lives in core.infra.crypto; this module only knows which
centre a record belongs to, so a write is encrypted for the right one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.config import centre_keys_variable
from core.infra.crypto import encrypting_for
from core.model import Centre
from core.network.centres import NetworkData


def without_centre(
    network: NetworkData, centre_data_keys: Mapping[str, Sequence[str]]
) -> list[str]:
    """The FJC_DATA_KEYS_<SLUG> variables that name no centre of the file."""
    slugs = {centre.slug for centre in network.centres}
    return [centre_keys_variable(slug) for slug in centre_data_keys if slug not in slugs]


def slug_of(session: Session, centre_id: int | None) -> str | None:
    if centre_id is None:
        return None
    return session.scalar(select(Centre.slug).where(Centre.id == centre_id))


@contextmanager
def encrypting_for_centre(session: Session, centre_id: int | None) -> Iterator[None]:
    """Encrypt what is flushed inside the block under that centre's keys."""
    with encrypting_for(slug_of(session, centre_id)):
        yield


def centre_keys_by_id(
    session: Session, centre_data_keys: Mapping[str, Sequence[str]]
) -> dict[int, list[str]]:
    """{centre id: its own keys} of the centres in the database that have some."""
    if not centre_data_keys:
        return {}
    rows = session.execute(select(Centre.id, Centre.slug).where(Centre.slug.in_(centre_data_keys)))
    return {centre_id: list(centre_data_keys[slug]) for centre_id, slug in rows}


def centre_slugs(session: Session, centre_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(id, slug) of these centres, by slug."""
    wanted = list(centre_ids)
    if not wanted:
        return []
    rows = session.execute(
        select(Centre.id, Centre.slug).where(Centre.id.in_(wanted)).order_by(Centre.slug)
    )
    return [(centre_id, slug) for centre_id, slug in rows]
