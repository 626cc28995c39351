"""The centre's own calendar. Dates and months in the back office (due dates,
"overdue", the figures' months) are those of the time zone of the centre the
member works for (g.centre, from the centre file), the one that safe-contact
times use too, so both agree."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import g

from core.infra import clock
from core.model import Centre
from core.network.centres import default_centre
from web.db import db


def working_centre() -> Centre:
    """The centre the signed-in member works for (web.accounts.centre_choice)."""
    centre = g.get("centre")
    return centre if centre is not None else default_centre(db.session)


def centre_zone() -> ZoneInfo:
    # Read once per request: a page asks for "today" in several places.
    if "centre_zone" not in g:
        g.centre_zone = ZoneInfo(working_centre().timezone)
    return g.centre_zone


def centre_today() -> date:
    return clock.now().astimezone(centre_zone()).date()
