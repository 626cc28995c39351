"""Switching between the centres one works for (a member of several)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request
from flask_babel import gettext as _

from backoffice.access import FACE, requires
from backoffice.blueprint import bp
from core.governance import audit
from core.identity.permissions import Permission
from core.infra.ids import parse_id
from web.accounts.centre_choice import switch_centre
from web.db import db


@bp.post("/centre")
@requires(Permission.SIGNED_IN)
def choose_centre():
    """Work for another of one's centres. The landing page of that centre
    follows, never the page before: its ids are the other centre's."""
    centre = switch_centre(g.staff, parse_id(request.form.get("centre", "")) or 0)
    if centre is None:
        abort(404)
    # The POST's own write transaction: a second one (db.writing) would wait
    # on it on SQLite, which takes the write lock at BEGIN IMMEDIATE.
    audit.record(
        db.session,
        "staff.centre_chosen",
        actor_id=g.staff.id,
        target_type="staff",
        target_id=g.staff.id,
        centre_id=centre.id,
    )
    db.session.commit()
    flash(_("You are now working for %(centre)s.", centre=centre.name))
    return redirect(FACE.landing(g.staff), code=303)
