"""Signing in (password, then the second factor), invitations, signing out."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from backoffice.access import (
    begin_pending,
    pending_staff,
    requires,
    sign_out,
)
from backoffice.blueprint import bp
from backoffice.enrolment import LOGIN_LIMIT, enrolment, finish_sign_in, landing_for
from backoffice.forms.accounts import (
    AcceptInviteForm,
    CodeForm,
    LoginForm,
    account_message,
)
from core.identity import accounts, invites, signin, two_factor
from core.identity.permissions import Permission
from core.identity.throttle import Verdict
from core.infra import clock
from core.rules import RuleError
from web.db import db
from web.forms import show_rule_error
from web.security import limiter


def refusal_message(verdict: Verdict) -> str:
    if verdict.locked:
        return _(
            "This account is locked after too many attempts. "
            "Ask an administrator of your centre to unlock it."
        )
    return ngettext(
        "Too many attempts. Wait %(num)d second, then try again.",
        "Too many attempts. Wait %(num)d seconds, then try again.",
        verdict.wait_seconds,
    )


def _problems(result: signin.StepResult, wrong: str) -> list[str]:
    """What the form says: wrong (the same words for a wrong e-mail or password),
    then, when the next attempt must wait or the account is now locked, that."""
    if result.verdict.locked:
        return [refusal_message(result.verdict)]
    problems = [wrong] if result.checked else []
    if result.verdict.wait_seconds:
        problems.append(refusal_message(result.verdict))
    return problems


@bp.route("/login", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    if g.staff is not None:
        return redirect(landing_for(g.staff.role))
    form = LoginForm()
    if form.validate_on_submit():
        result = signin.password_step(db.session, form.email.data, form.password.data, clock.now())
        staff = result.staff
        if staff is not None and two_factor.has_second_factor(staff):
            db.session.commit()
            begin_pending(staff, must_enrol=False)
            return redirect(url_for("backoffice.login_code"))
        if staff is not None and current_app.config["FJC_REQUIRE_SECOND_FACTOR"]:
            db.session.commit()
            begin_pending(staff, must_enrol=True)
            return redirect(url_for("backoffice.login_enrol"))
        if staff is not None:
            finish_sign_in(staff, "password")
            return redirect(landing_for(staff.role))
        db.session.commit()
        form.password.errors = _problems(
            result, _("The e-mail address or the password is not right.")
        )
    form.password.data = ""
    return render_template("backoffice/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login_code():
    staff = pending_staff(must_enrol=False)
    if staff is None:
        return redirect(url_for("backoffice.login"))
    form = CodeForm()
    if form.validate_on_submit():
        result = signin.code_step(db.session, staff, form.code.data, clock.now())
        if result.ok:
            finish_sign_in(staff, result.method)
            if result.method == "recovery_code":
                left = two_factor.recovery_codes_left(db.session, staff)
                flash(
                    ngettext(
                        "You used a recovery code. %(num)d is left.",
                        "You used a recovery code. %(num)d are left.",
                        left,
                    )
                )
            return redirect(landing_for(staff.role))
        db.session.commit()
        if result.verdict.locked:
            sign_out()
            flash(refusal_message(result.verdict))
            return redirect(url_for("backoffice.login"))
        form.code.errors = _problems(result, _("This code is not right, or it was already used."))
    form.code.data = ""
    return render_template("backoffice/login_code.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login_enrol():
    """In production an account without a second factor can only set one up."""
    staff = pending_staff(must_enrol=True)
    if staff is None:
        return redirect(url_for("backoffice.login"))
    return enrolment(staff, pending=True)


@bp.post("/logout")
@requires(Permission.SIGNED_IN)
def logout():
    signin.sign_out(db.session, g.staff, session["sid"], clock.now())
    db.session.commit()
    sign_out()
    return redirect(url_for("backoffice.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@requires(Permission.PUBLIC)
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def accept_invitation(token: str):
    secret_key = current_app.config["SECRET_KEY"]
    staff = invites.invited_staff(db.session, secret_key, token, clock.now())
    if staff is None:
        return render_template("backoffice/invite_invalid.html"), 404
    form = AcceptInviteForm()
    if form.validate_on_submit():
        try:
            accounts.accept_invitation(db.session, staff, form.new_password.data)
        except RuleError as refused:
            db.session.rollback()
            show_rule_error(form, refused, account_message)
        else:
            db.session.commit()
            sign_out()
            flash(_("Your account is ready. Sign in with your e-mail address and new password."))
            return redirect(url_for("backoffice.login"))
    return render_template("backoffice/invite.html", form=form, invited=staff)
