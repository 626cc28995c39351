"""What a portal page says of the centre, once the portal knows it.

Before a request is sent the portal does not know the centre (the
municipality decides it), so every page is neutral: the tab shows
FJC_SITE_TITLE and no hours. The page after sending and the mailbox know the
request's centre: the tab shows that centre's neutral site_title and the page
says when its team is there. Never the centre's name in the tab: someone who
looks at the phone must not read "Family Justice Center" there.
"""

from __future__ import annotations

from core.model import Centre
from web.db import db
from web.opening_hours import team_hours


def centre_text(centre_id: int | None) -> dict:
    """The template values for a page of the centre `centre_id`; none when
    it is not known (the page then stays neutral)."""
    centre = db.session.get(Centre, centre_id) if centre_id is not None else None
    if centre is None:
        return {}
    return {
        "centre_site_title": centre.site_title,
        "team_hours": team_hours(centre.opening_hours),
    }
