"""The centre an installation serves, and the municipalities it serves.

Both are data (data/centre.json, or the file in FJC_CENTRE_FILE), loaded by
`migrate`, so a centre changes its list without a code change. One centre for
now; the tables already say which centre a row belongs to.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.config import PROJECT_ROOT
from core.model import Centre, Municipality

DEFAULT_CENTRE_SLUG = "default"
DEFAULT_CENTRE_FILE = PROJECT_ROOT / "data" / "centre.json"


class CentreMissing(RuntimeError):
    pass


def load_centre_file(path: Path | str | None = None) -> dict[str, Any]:
    data = json.loads(Path(path or DEFAULT_CENTRE_FILE).read_text(encoding="utf-8"))
    names = data.get("municipalities", [])
    if len(set(names)) != len(names):
        raise ValueError("the centre file lists a municipality twice")
    return data


def ensure_default_centre(session: Session, data: dict[str, Any] | None = None) -> Centre:
    """Create or update the centre and its municipalities from the centre file."""
    data = data if data is not None else load_centre_file()
    centre = session.scalar(select(Centre).where(Centre.slug == DEFAULT_CENTRE_SLUG))
    if centre is None:
        centre = Centre(slug=DEFAULT_CENTRE_SLUG, name=data.get("name", "Family Justice Center"))
        session.add(centre)
    centre.name = data.get("name", centre.name)
    centre.timezone = data.get("timezone", "Europe/Brussels")
    centre.show_partner_reads = data.get("show_partner_reads", False) is True
    session.flush()
    _sync_municipalities(session, centre, data.get("municipalities", []))
    return centre


def _sync_municipalities(session: Session, centre: Centre, names: list[str]) -> None:
    existing = {
        m.name: m
        for m in session.scalars(select(Municipality).where(Municipality.centre_id == centre.id))
    }
    for position, name in enumerate(names):
        municipality = existing.pop(name, None)
        if municipality is None:
            municipality = Municipality(centre_id=centre.id, name=name)
            session.add(municipality)
        municipality.position = position
        municipality.active = True
    # Requests may point at a municipality that left the list: keep it, hide it.
    for municipality in existing.values():
        municipality.active = False
    session.flush()


def current_centre(session: Session) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.slug == DEFAULT_CENTRE_SLUG))
    if centre is None:
        raise CentreMissing("no centre in the database: run `flask --app wsgi migrate`")
    return centre


def active_municipalities(session: Session, centre: Centre) -> list[Municipality]:
    query = (
        select(Municipality)
        .where(Municipality.centre_id == centre.id, Municipality.active.is_(True))
        .order_by(Municipality.position)
    )
    return list(session.scalars(query))
