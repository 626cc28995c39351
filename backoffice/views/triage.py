"""Triage actions on a request: take it, assign it, log a contact attempt,
decide the track, mark messages read, link a matching request.

Each is a change through backoffice.handlers.intake_change; the kernel
(core.intake.triage) changes the request and records it in the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.forms.intake import AssignForm, AttemptForm, DecisionForm, LinkForm, ReadForm
from backoffice.handlers import Done, intake_change
from backoffice.views.intake import render_intake
from core.casework.cases import can_view_intake
from core.identity.permissions import Permission
from core.infra.ids import parse_id
from core.intake import triage
from core.intake.safe_window import Channel
from core.model import Intake, Message, Staff
from web.casefile.centre import centre_today, working_centre
from web.db import db


def _page(found: Intake) -> str:
    return url_for("backoffice.intake", intake_id=found.id)


def triage_message(field: str, code: str) -> str:
    """What staff read when a triage rule refuses a change (core.intake.triage)."""
    if field == "referred_to":
        return _("Say to which service you referred the person.")
    if field == "referred_on":
        return {
            "missing": _("Give the day of the referral to the Vertrouwenscentrum."),
            "future": _("The day of the referral cannot be in the future."),
        }.get(code, _("Give a valid date."))
    if field == "channel":
        return _("This request has no details for that way of contact. Choose another.")
    return _("This request is no longer open.")


def _open_only(message: Callable[[], str]):
    """A request decided, closed or erased since its page was opened takes no
    triage change: nothing changes, and its page says why."""

    def guard(found: Intake):
        if found.status in triage.OPEN_STATUSES:
            return None
        flash(message())
        return redirect(_page(found), code=303)

    return guard


@bp.post("/intakes/<int:intake_id>/claim")
@requires(Permission.TRIAGE)
@intake_change()
def claim(found: Intake, _form: None) -> Done:
    result = triage.claim(db.session, found.id, g.staff)
    if result.won:
        return Done(_("You took this request."), _page(found))
    if result.holder is not None:
        return Done(_("%(name)s already took this request.", name=result.holder.name), _page(found))
    return Done(_("This request can no longer be taken."), _page(found))


def _assignee(staff_id: str) -> Staff | None:
    """The account the select named; empty gives the request back to the queue.
    An id the list did not offer is a forged or stale post: 400."""
    staff_id = (staff_id or "").strip()
    if not staff_id:
        return None
    target = db.session.get(Staff, number) if (number := parse_id(staff_id)) else None
    if target is None:
        abort(400)
    return target


@bp.post("/intakes/<int:intake_id>/assign")
@requires(Permission.ASSIGN)
@intake_change(
    form=AssignForm, guard=_open_only(lambda: _("Only an open request can be assigned."))
)
def assign(found: Intake, form: AssignForm) -> Done:
    target = _assignee(form.staff_id.data)
    # An inactive account is refused by the kernel; without messages that is a 400.
    triage.assign(db.session, found, target, g.staff)
    message = _("The request is assigned.") if target else _("The request is back in the queue.")
    return Done(message, _page(found))


def attempt_saved_message(check: triage.AttemptCheck) -> str:
    """Said at the top of the page after saving: an attempt outside the
    person's rules is saved, and nobody may think it was within them."""
    if check.safe:
        return _("The contact attempt is saved.")
    reasons = []
    if check.outside_safe_time:
        reasons.append(_("it was outside the safe times the person gave"))
    if check.channel_not_allowed:
        reasons.append(_("the person did not allow this way of contact"))
    return _(
        "The contact attempt is saved, with a flag: outside the rules the person gave (%(why)s).",
        why="; ".join(reasons),
    )


@bp.post("/intakes/<int:intake_id>/attempts")
@requires(Permission.TRIAGE)
@intake_change(
    form=AttemptForm,
    page=lambda found, form: render_intake(found, attempt_form=form),
    messages=triage_message,
    guard=_open_only(lambda: _("This request is no longer open.")),
)
def attempt(found: Intake, form: AttemptForm) -> Done:
    _attempt, check = triage.record_attempt(
        db.session,
        found,
        g.staff,
        channel=Channel(form.channel.data),
        outcome=triage.AttemptOutcome(form.outcome.data),
        note=form.note.data,
        timezone=working_centre().timezone,
    )
    return Done(attempt_saved_message(check), _page(found))


@bp.post("/intakes/<int:intake_id>/decision")
@requires(Permission.TRIAGE)
@intake_change(
    form=DecisionForm,
    page=lambda found, form: render_intake(found, decision_form=form),
    messages=triage_message,
    guard=_open_only(lambda: _("This request already has a decision.")),
)
def decide(found: Intake, form: DecisionForm) -> Done:
    triage.decide(
        db.session,
        found,
        g.staff,
        outcome=triage.TriageOutcome(form.outcome.data),
        referred_to=form.referred_to.data,
        note=form.note.data,
        referred_on=form.referred_on.data,
        today=centre_today(),
    )
    return Done(_("The decision is saved."), _page(found))


@bp.post("/intakes/<int:intake_id>/messages/<int:message_id>/read")
@requires(Permission.TRIAGE)
@intake_change(form=ReadForm)
def mark_read(found: Intake, form: ReadForm, message_id: int) -> Done:
    message = db.session.get(Message, message_id)
    if message is None or message.intake_id != found.id:
        abort(404)
    triage.mark_read(db.session, message, form.read.data == "1", g.staff)
    return Done(None, _page(found))


@bp.post("/intakes/<int:intake_id>/links")
@requires(Permission.TRIAGE)
@intake_change(form=LinkForm)
def link(found: Intake, form: LinkForm) -> Done:
    other_id = (form.other.data or "").strip()
    other = db.session.get(Intake, number) if (number := parse_id(other_id)) else None
    if other is None:
        abort(400)
    if not can_view_intake(g.staff, other, db.session):
        abort(403)  # a request in a file this member may not open
    # Only a request the match list offered may be linked: the kernel refuses
    # any other (without messages, a 400).
    triage.link(db.session, found, other, g.staff)
    return Done(_("The requests are linked."), _page(found))
