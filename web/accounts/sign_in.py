"""The sign-in routes of a professional face: password, then the second
factor (or setting one up when the face requires it), signing out, and
accepting an invitation. `add_sign_in_routes` puts them on the face's
blueprint under the same endpoint names on both faces ("<face>.login", ...)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from core.identity import accounts, invites, signin, totp, two_factor
from core.identity.organisations import is_partner
from core.identity.permissions import Permission
from core.identity.throttle import Verdict
from core.infra import clock
from core.model import Staff
from core.rules import RuleError
from web.accounts.face import Face
from web.accounts.forms import AcceptInviteForm, CodeForm, LoginForm, account_message
from web.accounts.permissions import requires
from web.accounts.session_state import begin_pending, pending_staff, sign_in, sign_out
from web.db import db
from web.forms import show_rule_error
from web.i18n import STAFF_LANGUAGE_KEY
from web.qr import totp_qr_svg
from web.security import limiter
from web.sessions import is_partner_path, is_staff_path

LOGIN_LIMIT = "10 per minute; 50 per hour"


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


def finish_sign_in(staff: Staff, method: str) -> None:
    token = signin.complete(db.session, staff, clock.now(), method)
    db.session.commit()
    sign_in(staff, token)


def enrolment(face: Face, staff: Staff, *, pending: bool, action_url: str, done_url: str):
    """Show the QR code and the secret; a right code switches the factor on
    and shows the recovery codes once."""
    if two_factor.has_second_factor(staff):
        return redirect(done_url)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = accounts.enable_second_factor(db.session, staff, form.code.data, clock.now())
        except RuleError as refused:
            show_rule_error(form, refused, account_message)
        else:
            if pending:
                finish_sign_in(staff, "enrolled")
            else:
                db.session.commit()
            return render_template(
                "accounts/recovery_codes.html",
                face=face,
                codes=codes,
                next_url=face.landing(staff),
            )
    # Kept unconfirmed in the database, so a reload shows the same QR code.
    if request.method == "POST":
        secret = two_factor.begin_enrolment(staff)
        db.session.commit()
    else:
        with db.writing() as writing:
            secret = two_factor.begin_enrolment(writing.get(Staff, staff.id))
    form.code.data = ""
    return render_template(
        "accounts/enrolment.html",
        face=face,
        form=form,
        qr=totp_qr_svg(secret, staff.email),
        secret=totp.grouped(secret),
        pending=pending,
        action_url=action_url,
    )


def add_sign_in_routes(bp: Blueprint, face: Face) -> None:
    """login, login_code, login_enrol, logout and accept_invitation on `bp`."""

    @bp.route("/login", methods=["GET", "POST"])
    @requires(Permission.PUBLIC)
    @limiter.limit(LOGIN_LIMIT, methods=["POST"])
    def login():
        if g.staff is not None:
            return redirect(face.landing(g.staff))
        form = LoginForm()
        if form.validate_on_submit():
            result = signin.password_step(
                db.session, form.email.data, form.password.data, clock.now(), partner=face.partner
            )
            staff = result.staff
            if staff is not None and two_factor.has_second_factor(staff):
                db.session.commit()
                begin_pending(staff, must_enrol=False)
                return redirect(face.url("login_code"))
            if staff is not None and face.second_factor_required(current_app.config):
                db.session.commit()
                begin_pending(staff, must_enrol=True)
                return redirect(face.url("login_enrol"))
            if staff is not None:
                finish_sign_in(staff, "password")
                return redirect(face.landing(staff))
            db.session.commit()
            form.password.errors = _problems(
                result, _("The e-mail address or the password is not right.")
            )
        form.password.data = ""
        return render_template("accounts/login.html", face=face, form=form)

    @bp.route("/login/code", methods=["GET", "POST"])
    @requires(Permission.PUBLIC)
    @limiter.limit(LOGIN_LIMIT, methods=["POST"])
    def login_code():
        staff = pending_staff(face, must_enrol=False)
        if staff is None:
            return redirect(face.url("login"))
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
                return redirect(face.landing(staff))
            db.session.commit()
            if result.verdict.locked:
                sign_out()
                flash(refusal_message(result.verdict))
                return redirect(face.url("login"))
            form.code.errors = _problems(
                result, _("This code is not right, or it was already used.")
            )
        form.code.data = ""
        return render_template("accounts/login_code.html", face=face, form=form)

    @bp.route("/login/enrol", methods=["GET", "POST"])
    @requires(Permission.PUBLIC)
    @limiter.limit(LOGIN_LIMIT, methods=["POST"])
    def login_enrol():
        """Where the face requires it, an account without a second factor can
        only set one up."""
        staff = pending_staff(face, must_enrol=True)
        if staff is None:
            return redirect(face.url("login"))
        return enrolment(
            face,
            staff,
            pending=True,
            action_url=face.url("login_enrol"),
            done_url=face.landing(staff),
        )

    @bp.post("/logout")
    @requires(Permission.SIGNED_IN)
    def logout():
        signin.sign_out(db.session, g.staff, session["sid"], clock.now())
        db.session.commit()
        sign_out()
        return redirect(face.url("login"))

    @bp.route("/invite/<token>", methods=["GET", "POST"])
    @requires(Permission.PUBLIC)
    @limiter.limit(LOGIN_LIMIT, methods=["POST"])
    def accept_invitation(token: str):
        secret_key = current_app.config["SECRET_KEY"]
        staff = invites.invited_staff(db.session, secret_key, token, clock.now())
        if staff is None or is_partner(staff) is not face.partner:
            return render_template("accounts/invite_invalid.html", face=face), 404
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
                flash(
                    _("Your account is ready. Sign in with your e-mail address and new password.")
                )
                return redirect(face.url("login"))
        return render_template("accounts/invite.html", face=face, form=form, invited=staff)


def add_language_route(bp: Blueprint, face: Face, home_endpoint: str) -> None:
    """choose_language on `bp`: the language switch in every page's header,
    remembered on the account when signed in, in the session before that;
    back to the same page of this face, never elsewhere."""

    @bp.post("/language")
    @requires(Permission.PUBLIC)
    def choose_language():
        language = request.form.get("language", "")
        if language not in accounts.STAFF_LANGUAGES:
            abort(400)
        session[STAFF_LANGUAGE_KEY] = language
        if g.staff is not None:
            accounts.choose_language(g.staff, language)
            db.session.commit()
        path = request.form.get("next", "")
        own = is_partner_path(path) if face.partner else is_staff_path(path)
        if not own or path.startswith("//") or "\\" in path:
            path = face.url(home_endpoint)
        return redirect(path, code=303)
