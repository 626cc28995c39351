"""A person's own account: second factor, recovery codes, password, sessions."""

from __future__ import annotations

from flask import (
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _

from backoffice.access import (
    requires,
    sign_in,
)
from backoffice.blueprint import bp
from backoffice.enrolment import LOGIN_LIMIT, enrolment
from backoffice.forms.accounts import (
    PASSWORD_PROBLEMS,
    PasswordChangeForm,
)
from core.governance import audit
from core.identity import passwords, staff_sessions, two_factor
from core.identity.permissions import Permission
from core.identity.staff import (
    end_all_sessions,
    set_password,
)
from core.infra import clock
from web.db import db
from web.security import limiter


@bp.get("/account")
@requires(Permission.SIGNED_IN)
def account():
    return render_template(
        "backoffice/account.html",
        has_second_factor=two_factor.has_second_factor(g.staff),
        codes_left=two_factor.recovery_codes_left(db.session, g.staff),
        sessions=staff_sessions.count_live(db.session, g.staff, clock.now()),
    )


@bp.route("/account/two-step", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def account_two_step():
    return enrolment(g.staff, pending=False)


@bp.post("/account/recovery-codes")
@requires(Permission.SIGNED_IN)
def account_recovery_codes():
    if not two_factor.has_second_factor(g.staff):
        return redirect(url_for("backoffice.account"))
    codes = two_factor.new_recovery_codes(db.session, g.staff)
    audit.record(db.session, "staff.recovery_codes_renewed", actor_id=g.staff.id)
    db.session.commit()
    return render_template(
        "backoffice/account_recovery_codes.html",
        codes=codes,
        next_url=url_for("backoffice.account"),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def account_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not passwords.verify_password(g.staff.password_hash, form.current_password.data):
            form.current_password.errors = [_("Your current password is not right.")]
        else:
            try:
                set_password(g.staff, form.new_password.data)
            except passwords.PasswordRejected as exc:
                form.new_password.errors = [PASSWORD_PROBLEMS[exc.code]]
            else:
                # Every other session ends; this one goes on under a new token.
                at = clock.now()
                end_all_sessions(db.session, g.staff, at)
                audit.record(db.session, "staff.password_changed", actor_id=g.staff.id)
                token = staff_sessions.start(db.session, g.staff, at)
                db.session.commit()
                sign_in(g.staff, token)
                flash(_("Your password is changed. You are signed out everywhere else."))
                return redirect(url_for("backoffice.account"), code=303)
    form.current_password.data = ""
    form.new_password.data = ""
    return render_template("backoffice/account_password.html", form=form)


@bp.post("/account/sign-out-everywhere")
@requires(Permission.SIGNED_IN)
def sign_out_everywhere():
    end_all_sessions(db.session, g.staff, clock.now())
    audit.record(db.session, "staff.signed_out_everywhere", actor_id=g.staff.id)
    db.session.commit()
    session.clear()
    flash(_("You are signed out on every device."))
    return redirect(url_for("backoffice.login"), code=303)
