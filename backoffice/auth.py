"""Signing in and out."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask_babel import gettext as _

from backoffice import bp
from backoffice.access import requires, sign_in, sign_out
from backoffice.forms import LoginForm
from core import audit
from core.db import db
from core.permissions import Permission, role_allows
from core.security import limiter
from core.staff import authenticate

LOGIN_LIMIT = "10 per minute; 50 per hour"


def _landing_for(role: str) -> str:
    if role_allows(role, Permission.VIEW_INTAKES):
        return url_for("backoffice.queue")
    return url_for("backoffice.account")


@bp.route("/login", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    if g.staff is not None:
        return redirect(_landing_for(g.staff.role))
    form = LoginForm()
    if form.validate_on_submit():
        staff = authenticate(db.session, form.email.data, form.password.data)
        if staff is not None:
            audit.record(db.session, "staff.login", actor_id=staff.id)
            db.session.commit()
            sign_in(staff)
            return redirect(_landing_for(staff.role))
        audit.record(db.session, "staff.login_failed")
        db.session.commit()
        # The same words whether the e-mail or the password was wrong.
        form.password.errors = [_("The e-mail address or the password is not right.")]
    form.password.data = ""
    return render_template("backoffice/login.html", form=form)


@bp.post("/logout")
@requires(Permission.SIGNED_IN)
def logout():
    audit.record(db.session, "staff.logout", actor_id=g.staff.id)
    db.session.commit()
    sign_out()
    return redirect(url_for("backoffice.login"))


@bp.get("/account")
@requires(Permission.SIGNED_IN)
def account():
    return render_template("backoffice/account.html")
