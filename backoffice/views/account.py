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

from backoffice.access import FACE, requires
from backoffice.blueprint import bp
from backoffice.forms.accounts import PasswordChangeForm, RecoveryCodesForm
from core.identity import accounts, staff_sessions, two_factor
from core.identity.permissions import Permission
from core.infra import clock
from core.rules import RuleError
from web.accounts.forms import account_message
from web.accounts.session_state import sign_in
from web.accounts.sign_in import LOGIN_LIMIT, add_language_route, enrolment
from web.db import db
from web.forms import show_rule_error
from web.security import limiter


def _account_page(recovery_form: RecoveryCodesForm | None = None):
    form = recovery_form or RecoveryCodesForm.blank()
    form.current_password.data = ""  # a password is never sent back
    return render_template(
        "backoffice/account.html",
        has_second_factor=two_factor.has_second_factor(g.staff),
        codes_left=two_factor.recovery_codes_left(db.session, g.staff),
        sessions=staff_sessions.count_live(db.session, g.staff, clock.now()),
        recovery_form=form,
    )


@bp.get("/account")
@requires(Permission.SIGNED_IN)
def account():
    return _account_page()


@bp.route("/account/two-step", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def account_two_step():
    return enrolment(
        FACE,
        g.staff,
        pending=False,
        action_url=url_for("backoffice.account_two_step"),
        done_url=url_for("backoffice.account"),
    )


@bp.post("/account/recovery-codes")
@requires(Permission.SIGNED_IN)
@limiter.limit(LOGIN_LIMIT)
def account_recovery_codes():
    form = RecoveryCodesForm()
    if not form.validate_on_submit():
        return _account_page(form)
    try:
        codes = accounts.renew_recovery_codes(db.session, g.staff, form.current_password.data)
    except RuleError as refused:
        db.session.rollback()
        if "current_password" not in refused.problems:
            # No second factor (reset meanwhile): the account page offers to set one up.
            return redirect(url_for("backoffice.account"))
        show_rule_error(form, refused, account_message)
        return _account_page(form)
    db.session.commit()
    return render_template(
        "accounts/recovery_codes.html",
        face=FACE,
        codes=codes,
        next_url=url_for("backoffice.account"),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def account_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            token = accounts.change_password(
                db.session,
                g.staff,
                form.current_password.data,
                form.new_password.data,
                clock.now(),
            )
        except RuleError as refused:
            db.session.rollback()
            show_rule_error(form, refused, account_message)
        else:
            # Every other session has ended; this one goes on under the new token.
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
    accounts.sign_out_everywhere(db.session, g.staff, clock.now())
    db.session.commit()
    session.clear()
    flash(_("You are signed out on every device."))
    return redirect(url_for("backoffice.login"), code=303)


add_language_route(bp, FACE, "queue")
