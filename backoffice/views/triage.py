"""Triage actions on a request: take it, assign it, log a contact attempt,
decide the track, mark messages read, link a matching request."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.forms.intake import (
    AssignForm,
    AttemptForm,
    DecisionForm,
)
from backoffice.records import intake_or_404
from backoffice.views.intake import render_intake
from core.governance import audit
from core.identity.permissions import Permission
from core.intake import triage
from core.intake.safe_window import Channel
from core.model import (
    Message,
    Staff,
)
from core.network.centres import current_centre
from web.db import db


def _back(intake_id: int):
    return redirect(url_for("backoffice.intake", intake_id=intake_id), code=303)


def _audit(action: str, intake_id: int, detail: str | None = None) -> None:
    audit.record(
        db.session,
        action,
        actor_id=g.staff.id,
        target_type="intake",
        target_id=intake_id,
        detail=detail,
    )


@bp.post("/intakes/<int:intake_id>/claim")
@requires(Permission.TRIAGE)
def claim(intake_id: int):
    intake_or_404(intake_id)
    result = triage.claim(db.session, intake_id, g.staff)
    if result.won:
        _audit("intake.claimed", intake_id)
        db.session.commit()
        flash(_("You took this request."))
    else:
        db.session.rollback()
        if result.holder is not None:
            flash(_("%(name)s already took this request.", name=result.holder.name))
        else:
            flash(_("This request can no longer be taken."))
    return _back(intake_id)


@bp.post("/intakes/<int:intake_id>/assign")
@requires(Permission.ASSIGN)
def assign(intake_id: int):
    found = intake_or_404(intake_id)
    form = AssignForm(prefix="assign")
    staff_id = (form.staff_id.data or "").strip()
    target = db.session.get(Staff, int(staff_id)) if staff_id.isdigit() else None
    if staff_id and (target is None or not target.is_active):
        abort(400)
    try:
        triage.assign(db.session, found, target, g.staff)
    except triage.TriageError:
        flash(_("Only an open request can be assigned."))
        return _back(intake_id)
    _audit("intake.assigned", intake_id, detail=f"to staff {target.id}" if target else "released")
    db.session.commit()
    flash(_("The request is assigned.") if target else _("The request is back in the queue."))
    return _back(intake_id)


@bp.post("/intakes/<int:intake_id>/attempts")
@requires(Permission.TRIAGE)
def attempt(intake_id: int):
    found = intake_or_404(intake_id)
    form = AttemptForm(prefix="attempt")
    if not form.validate_on_submit():
        return render_intake(found, attempt_form=form)
    timezone = current_centre(db.session).timezone
    channel = Channel(form.channel.data)
    check = triage.check_attempt(found, channel, timezone)
    if not check.safe and not form.confirm_unsafe.data:
        # Nothing is recorded: the page explains the risk and asks to confirm.
        return render_intake(found, attempt_form=form, attempt_warning=check)
    try:
        recorded = triage.record_attempt(
            db.session,
            found,
            g.staff,
            channel=channel,
            outcome=triage.AttemptOutcome(form.outcome.data),
            note=form.note.data,
            timezone=timezone,
            confirmed_unsafe=bool(form.confirm_unsafe.data),
        )
    except triage.TriageError:
        flash(_("This request is no longer open."))
        return _back(intake_id)
    detail = f"attempt {recorded.id}" + ("" if check.safe else " confirmed despite warning")
    _audit("intake.contact_attempt", intake_id, detail=detail)
    db.session.commit()
    flash(_("The contact attempt is saved."))
    return _back(intake_id)


@bp.post("/intakes/<int:intake_id>/decision")
@requires(Permission.TRIAGE)
def decide(intake_id: int):
    found = intake_or_404(intake_id)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return render_intake(found, decision_form=form)
    outcome = triage.TriageOutcome(form.outcome.data)
    if outcome in triage.REFERRING_OUTCOMES and not (form.referred_to.data or "").strip():
        form.referred_to.errors = [_("Say to which service you referred the person.")]
        return render_intake(found, decision_form=form)
    try:
        triage.decide(
            db.session,
            found,
            g.staff,
            outcome=outcome,
            referred_to=form.referred_to.data,
            note=form.note.data,
        )
    except triage.TriageError:
        flash(_("This request already has a decision."))
        return _back(intake_id)
    _audit("intake.decided", intake_id, detail=outcome.value)
    db.session.commit()
    flash(_("The decision is saved."))
    return _back(intake_id)


@bp.post("/intakes/<int:intake_id>/messages/<int:message_id>/read")
@requires(Permission.TRIAGE)
def mark_read(intake_id: int, message_id: int):
    message = db.session.get(Message, message_id)
    if message is None or message.intake_id != intake_id:
        abort(404)
    triage.mark_read(message, read=request.form.get("read") == "1")
    db.session.commit()
    return _back(intake_id)


@bp.post("/intakes/<int:intake_id>/links")
@requires(Permission.TRIAGE)
def link(intake_id: int):
    found = intake_or_404(intake_id)
    other_id = request.form.get("other", "")
    other = db.session.get(type(found), int(other_id)) if other_id.isdigit() else None
    # Only a request the match list offered may be linked.
    if other is None or other not in triage.matches(db.session, found):
        abort(400)
    triage.link(db.session, found, other, g.staff)
    _audit("intake.linked", intake_id, detail=f"intake {other.id}")
    db.session.commit()
    flash(_("The requests are linked."))
    return _back(intake_id)
