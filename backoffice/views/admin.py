"""Account management for admins, and the audit trail for admins and coordinators."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from backoffice import audit_words
from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.accounts import InviteForm
from backoffice.handlers import Done, change_view
from core.identity import accounts, invites, throttle, two_factor
from core.identity.permissions import Permission
from core.identity.staff import is_invited, names_of, of_centre, works_for
from core.infra import clock
from core.model import AuditEvent, Staff
from core.rules import RuleError
from web.accounts.forms import account_message
from web.db import db
from web.forms import show_rule_error
from web.urls import link_for

AUDIT_PAGE_SIZE = 100


def _staff_or_404(staff_id: int) -> Staff:
    """An account of the centre the admin works for; any other is not found."""
    staff = db.session.get(Staff, staff_id)
    if staff is None or not works_for(db.session, staff, g.centre.id):
        abort(404)
    return staff


# An admin's change to one account (/admin/staff/<staff_id>/...): the kernel
# (core.identity.accounts) changes and records it; the list says what happened.
staff_change = change_view(_staff_or_404, "staff_id")


def _to_the_list(message: str) -> Done:
    return Done(message, url_for("backoffice.admin_staff"))


@bp.get("/admin/staff")
@requires(Permission.MANAGE_STAFF)
def admin_staff():
    people = db.session.scalars(
        select(Staff).where(of_centre(g.centre.id)).order_by(Staff.name, Staff.id)
    ).all()
    return render_template(
        "backoffice/admin_staff.html",
        people=people,
        invited={p.id for p in people if is_invited(p)},
        locked={p.id for p in people if throttle.is_locked(db.session, p.email)},
        second_factor={p.id for p in people if two_factor.has_second_factor(p)},
    )


@bp.route("/admin/staff/invite", methods=["GET", "POST"])
@requires(Permission.MANAGE_STAFF)
def admin_invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            staff = accounts.invite(
                db.session,
                g.staff,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                centre_id=g.centre.id,
            )
        except RuleError as refused:
            db.session.rollback()
            show_rule_error(form, refused, account_message)
        else:
            db.session.commit()
            token = invites.make_token(current_app.config["SECRET_KEY"], staff)
            link = link_for("backoffice.accept_invitation", token=token)
            return render_template("backoffice/admin_invited.html", invited=staff, link=link)
    return render_template("backoffice/admin_invite.html", form=form)


@bp.post("/admin/staff/<int:staff_id>/deactivate")
@requires(Permission.MANAGE_STAFF)
@staff_change
def admin_deactivate(staff: Staff, _form: None) -> Done:
    try:
        accounts.deactivate(db.session, staff, g.staff, clock.now())
    except RuleError:
        # Nothing changed: an admin cannot lock themselves out.
        return _to_the_list(_("You cannot deactivate your own account."))
    return _to_the_list(_("%(name)s can no longer sign in.", name=staff.name))


@bp.post("/admin/staff/<int:staff_id>/activate")
@requires(Permission.MANAGE_STAFF)
@staff_change
def admin_activate(staff: Staff, _form: None) -> Done:
    try:
        accounts.activate(db.session, staff, g.staff)
    except RuleError:
        # An invitation not yet accepted has no password to sign in with.
        abort(404)
    return _to_the_list(_("%(name)s can sign in again.", name=staff.name))


@bp.post("/admin/staff/<int:staff_id>/reset-two-step")
@requires(Permission.MANAGE_STAFF)
@staff_change
def admin_reset_second_factor(staff: Staff, _form: None) -> Done:
    accounts.reset_second_factor(db.session, staff, g.staff, clock.now())
    return _to_the_list(
        _("%(name)s sets up two-step sign-in again at their next sign-in.", name=staff.name)
    )


@bp.post("/admin/staff/<int:staff_id>/unlock")
@requires(Permission.MANAGE_STAFF)
@staff_change
def admin_unlock(staff: Staff, _form: None) -> Done:
    accounts.unlock(db.session, staff, g.staff)
    return _to_the_list(_("%(name)s can try to sign in again.", name=staff.name))


@bp.get("/admin/audit")
@requires(Permission.VIEW_AUDIT)
def admin_audit():
    page = max(request.args.get("page", 1, type=int), 1)
    # This centre's events, and those of the installation (no centre: an
    # operator's command, an anchor), which name nobody.
    mine = (AuditEvent.centre_id == g.centre.id) | AuditEvent.centre_id.is_(None)
    events = db.session.scalars(
        select(AuditEvent)
        .where(mine)
        .order_by(AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    # Two counts, one per index range: with the OR, PostgreSQL reads the whole
    # index of every centre's events (bench/scale.py).
    total = sum(
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(part)) or 0
        for part in (AuditEvent.centre_id == g.centre.id, AuditEvent.centre_id.is_(None))
    )
    names = names_of(db.session, (event.actor_id for event in events))
    record_read("audit.viewed", detail=f"page={page}")
    return render_template(
        "backoffice/admin_audit.html",
        events=events,
        names=names,
        audit_action_words=audit_words.action_words,
        audit_target_words=audit_words.target_words,
        audit_detail_words=audit_words.detail_words,
        page=page,
        has_next=page * AUDIT_PAGE_SIZE < total,
    )
