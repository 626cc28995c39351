"""A person's own account, on either professional face: the second factor,
recovery codes, password, sessions. `add_account_routes` puts them on the
face's blueprint ("<face>.account", ...)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, session
from flask_babel import gettext as _

from core.identity import accounts, staff_sessions, two_factor
from core.identity.permissions import Permission
from core.infra import clock
from core.rules import RuleError
from web.accounts.face import Face
from web.accounts.forms import PasswordChangeForm, RecoveryCodesForm, account_message
from web.accounts.permissions import requires
from web.accounts.session_state import sign_in
from web.accounts.sign_in import LOGIN_LIMIT, enrolment
from web.db import db
from web.forms import show_rule_error
from web.security import limiter


def _account_page(face: Face, recovery_form: RecoveryCodesForm | None = None):
    form = recovery_form or RecoveryCodesForm.blank()
    form.current_password.data = ""  # a password is never sent back
    return render_template(
        "accounts/account.html",
        face=face,
        has_second_factor=two_factor.has_second_factor(g.staff),
        codes_left=two_factor.recovery_codes_left(db.session, g.staff),
        sessions=staff_sessions.count_live(db.session, g.staff, clock.now()),
        recovery_form=form,
    )


def add_account_routes(bp: Blueprint, face: Face) -> None:
    """account, account_two_step, account_recovery_codes, account_password and
    sign_out_everywhere on `bp`."""

    @bp.get("/account")
    @requires(Permission.SIGNED_IN)
    def account():
        return _account_page(face)

    @bp.route("/account/two-step", methods=["GET", "POST"])
    @requires(Permission.SIGNED_IN)
    @limiter.limit(LOGIN_LIMIT, methods=["POST"])
    def account_two_step():
        return enrolment(
            face,
            g.staff,
            pending=False,
            action_url=face.url("account_two_step"),
            done_url=face.url("account"),
        )

    @bp.post("/account/recovery-codes")
    @requires(Permission.SIGNED_IN)
    @limiter.limit(LOGIN_LIMIT)
    def account_recovery_codes():
        form = RecoveryCodesForm()
        if not form.validate_on_submit():
            return _account_page(face, form)
        try:
            codes = accounts.renew_recovery_codes(db.session, g.staff, form.current_password.data)
        except RuleError as refused:
            db.session.rollback()
            if "current_password" not in refused.problems:
                # No second factor (reset meanwhile): the account page offers to set one up.
                return redirect(face.url("account"))
            show_rule_error(form, refused, account_message)
            return _account_page(face, form)
        db.session.commit()
        return render_template(
            "accounts/recovery_codes.html",
            face=face,
            codes=codes,
            next_url=face.url("account"),
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
                return redirect(face.url("account"), code=303)
        form.current_password.data = ""
        form.new_password.data = ""
        return render_template("accounts/password.html", face=face, form=form)

    @bp.post("/account/sign-out-everywhere")
    @requires(Permission.SIGNED_IN)
    def sign_out_everywhere():
        accounts.sign_out_everywhere(db.session, g.staff, clock.now())
        db.session.commit()
        session.clear()
        flash(_("You are signed out on every device."))
        return redirect(face.url("login"), code=303)
