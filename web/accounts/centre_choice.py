"""Which centre a signed-in member is working for on this request (g.centre).

A member of several centres of the network chooses one (kept in the face's
session, checked against the membership on every request); everyone else
works for their home centre. Every list and every id a staff page reaches is
of this centre alone: an id of another centre is not found."""

from __future__ import annotations

from collections.abc import Sequence

from flask import g, session

from core.model import Centre, Staff
from core.network.centres import centres_of, default_centre, is_member
from web.centre_keys import encrypt_for
from web.db import db

CENTRE_KEY = "centre_id"


def choose_centre(staff: Staff | None, centres: Sequence[Centre] | None = None) -> None:
    """Set g.centre (and g.member_centres) for the signed-in member, or the
    default centre before sign-in (dates on the sign-in pages need a zone).
    `centres`: the member's centres, home first, when the caller has them
    already (read with the session: core.identity.staff_sessions)."""
    if staff is None:
        g.centre = default_centre(db.session)
        g.member_centres = []
        encrypt_for(g.centre)
        return
    # The member's centres, home first; the chosen one among them.
    g.member_centres = list(centres) if centres is not None else centres_of(db.session, staff)
    chosen = session.get(CENTRE_KEY)
    g.centre = next((c for c in g.member_centres if c.id == chosen), g.member_centres[0])
    # What this request writes is encrypted under g.centre's keys.
    encrypt_for(g.centre)


def switch_centre(staff: Staff, centre_id: int) -> Centre | None:
    """Work for another of one's centres from now on; None when not a member."""
    if not is_member(db.session, staff, centre_id):
        return None
    session[CENTRE_KEY] = centre_id
    return db.session.get(Centre, centre_id)
