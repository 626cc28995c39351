"""The queue of requests and one request's page."""

from __future__ import annotations

from flask import abort, g, render_template, request

from backoffice import bp
from backoffice.access import requires
from core import audit
from core.db import db
from core.intakes import count_intakes, get_intake, newest_intakes
from core.permissions import Permission

PAGE_SIZE = 50


@bp.get("/")
@requires(Permission.VIEW_INTAKES)
def queue():
    page = max(request.args.get("page", 1, type=int), 1)
    intakes = newest_intakes(db.session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = count_intakes(db.session)
    return render_template(
        "backoffice/queue.html",
        intakes=intakes,
        page=page,
        has_next=page * PAGE_SIZE < total,
        total=total,
    )


@bp.get("/intakes/<int:intake_id>")
@requires(Permission.VIEW_INTAKES)
def intake(intake_id: int):
    found = get_intake(db.session, intake_id)
    if found is None:
        abort(404)
    # Reading a request is recorded: who looked at which file, and when.
    with db.writing() as session:
        audit.record(
            session,
            "intake.viewed",
            actor_id=g.staff.id,
            target_type="intake",
            target_id=found.id,
        )
    return render_template("backoffice/intake.html", intake=found)
