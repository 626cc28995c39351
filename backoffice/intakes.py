"""The queue of requests and one request's page, with the portal mailbox."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from backoffice import bp
from backoffice.access import requires
from backoffice.forms import ReplyForm
from core import audit
from core.db import db
from core.intakes import count_intakes, get_intake, newest_intakes
from core.mailbox import add_staff_reply
from core.models import Intake, IntakeStatus
from core.permissions import Permission

PAGE_SIZE = 50


def _intake_or_404(intake_id: int) -> Intake:
    found = get_intake(db.session, intake_id)
    if found is None:
        abort(404)
    return found


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
    found = _intake_or_404(intake_id)
    # Reading a request is recorded: who looked at which file, and when.
    with db.writing() as session:
        audit.record(
            session,
            "intake.viewed",
            actor_id=g.staff.id,
            target_type="intake",
            target_id=found.id,
        )
    return render_template("backoffice/intake.html", intake=found, reply_form=ReplyForm())


@bp.post("/intakes/<int:intake_id>/reply")
@requires(Permission.REPLY_TO_REQUESTER)
def reply(intake_id: int):
    found = _intake_or_404(intake_id)
    if found.status == IntakeStatus.ERASED:
        abort(404)
    form = ReplyForm()
    if not form.validate_on_submit():
        return render_template("backoffice/intake.html", intake=found, reply_form=form)
    message = add_staff_reply(db.session, found, g.staff, form.body.data.strip())
    audit.record(
        db.session,
        "intake.replied",
        actor_id=g.staff.id,
        target_type="intake",
        target_id=found.id,
        detail=f"message {message.id}",
    )
    db.session.commit()
    flash(_("Your reply is in the portal mailbox. The person reads it with their code."))
    return redirect(url_for("backoffice.intake", intake_id=found.id), code=303)
