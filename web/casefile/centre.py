"""The centre's own calendar. Dates and months in the back office (due dates,
"overdue", the figures' months) are those of the centre's time zone, the one
in data/centre.json that safe-contact times use too, so both agree."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import g

from core.infra import clock
from core.network.centres import current_centre
from web.db import db


def centre_zone() -> ZoneInfo:
    # Read once per request: a page asks for "today" in several places.
    if "centre_zone" not in g:
        g.centre_zone = ZoneInfo(current_centre(db.session).timezone)
    return g.centre_zone


def centre_today() -> date:
    return clock.now().astimezone(centre_zone()).date()
