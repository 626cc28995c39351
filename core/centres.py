"""The centre an installation serves. One for now; the tables already say which."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Centre

DEFAULT_CENTRE_SLUG = "default"


class CentreMissing(RuntimeError):
    pass


def ensure_default_centre(session: Session) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.slug == DEFAULT_CENTRE_SLUG))
    if centre is None:
        centre = Centre(slug=DEFAULT_CENTRE_SLUG, name="Family Justice Center")
        session.add(centre)
        session.flush()
    return centre


def current_centre(session: Session) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.slug == DEFAULT_CENTRE_SLUG))
    if centre is None:
        raise CentreMissing("no centre in the database: run `flask --app wsgi migrate`")
    return centre
