"""Account management for admins, and the audit trail for admins and coordinators."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.accounts import (
    InviteForm,
)
from core.governance import audit
from core.identity import invites, throttle, two_factor
from core.identity.permissions import Permission
from core.identity.staff import (
    StaffExists,
    activate,
    deactivate,
    end_all_sessions,
    invite_staff,
    is_invited,
)
from core.infra import clock
from core.model import (
    AuditEvent,
    Staff,
)
from web.db import db

AUDIT_PAGE_SIZE = 100


def _staff_or_404(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        abort(404)
    return staff


def _audit_staff(action: str, staff: Staff) -> None:
    audit.record(db.session, action, actor_id=g.staff.id, target_type="staff", target_id=staff.id)


def _done(message: str):
    db.session.commit()
    flash(message)
    return redirect(url_for("backoffice.admin_staff"), code=303)


@bp.get("/admin/staff")
@requires(Permission.MANAGE_STAFF)
def admin_staff():
    people = db.session.scalars(select(Staff).order_by(Staff.name, Staff.id)).all()
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
            staff = invite_staff(
                db.session, email=form.email.data, name=form.name.data, role=form.role.data
            )
        except StaffExists:
            form.email.errors = [_("There is already an account with this e-mail address.")]
        else:
            audit.record(
                db.session,
                "staff.invited",
                actor_id=g.staff.id,
                target_type="staff",
                target_id=staff.id,
                detail=f"role={staff.role}",
            )
            db.session.commit()
            token = invites.make_token(current_app.config["SECRET_KEY"], staff)
            link = url_for("backoffice.accept_invitation", token=token, _external=True)
            return render_template("backoffice/admin_invited.html", invited=staff, link=link)
    return render_template("backoffice/admin_invite.html", form=form)


@bp.post("/admin/staff/<int:staff_id>/deactivate")
@requires(Permission.MANAGE_STAFF)
def admin_deactivate(staff_id: int):
    staff = _staff_or_404(staff_id)
    if staff.id == g.staff.id:
        flash(_("You cannot deactivate your own account."))
        return redirect(url_for("backoffice.admin_staff"), code=303)
    deactivate(db.session, staff, clock.now())
    _audit_staff("staff.deactivated", staff)
    return _done(_("%(name)s can no longer sign in.", name=staff.name))


@bp.post("/admin/staff/<int:staff_id>/activate")
@requires(Permission.MANAGE_STAFF)
def admin_activate(staff_id: int):
    staff = _staff_or_404(staff_id)
    if not activate(staff):
        abort(404)
    _audit_staff("staff.activated", staff)
    return _done(_("%(name)s can sign in again.", name=staff.name))


@bp.post("/admin/staff/<int:staff_id>/reset-two-step")
@requires(Permission.MANAGE_STAFF)
def admin_reset_second_factor(staff_id: int):
    staff = _staff_or_404(staff_id)
    two_factor.reset(db.session, staff)
    end_all_sessions(db.session, staff, clock.now())
    _audit_staff("staff.second_factor_reset", staff)
    return _done(
        _("%(name)s sets up two-step sign-in again at their next sign-in.", name=staff.name)
    )


@bp.post("/admin/staff/<int:staff_id>/unlock")
@requires(Permission.MANAGE_STAFF)
def admin_unlock(staff_id: int):
    staff = _staff_or_404(staff_id)
    throttle.unlock(db.session, staff.email)
    _audit_staff("staff.unlocked", staff)
    return _done(_("%(name)s can try to sign in again.", name=staff.name))


@bp.get("/admin/audit")
@requires(Permission.VIEW_AUDIT)
def admin_audit():
    page = max(request.args.get("page", 1, type=int), 1)
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    names = {row.id: row.name for row in db.session.execute(select(Staff.id, Staff.name))}
    record_read("audit.viewed", detail=f"page={page}")
    return render_template(
        "backoffice/admin_audit.html",
        events=events,
        names=names,
        page=page,
        has_next=page * AUDIT_PAGE_SIZE < total,
    )
