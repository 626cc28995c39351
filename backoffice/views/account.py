"""A person's own account: second factor, recovery codes, password, sessions."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
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
from backoffice.forms.accounts import PasswordChangeForm, RecoveryCodesForm, account_message
from core.identity import accounts, staff_sessions, two_factor
from core.identity.permissions import Permission
from core.infra import clock
from core.rules import RuleError
from web.db import db
from web.forms import show_rule_error
from web.i18n import STAFF_LANGUAGE_KEY
from web.security import limiter
from web.sessions import is_staff_path


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
    return enrolment(g.staff, pending=False)


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


@bp.post("/language")
@requires(Permission.PUBLIC)
def choose_language():
    """The language switch in every page's header: remembered on the account
    when signed in, in the session before that; back to the same page."""
    language = request.form.get("language", "")
    if language not in accounts.STAFF_LANGUAGES:
        abort(400)
    session[STAFF_LANGUAGE_KEY] = language
    if g.staff is not None:
        accounts.choose_language(g.staff, language)
        db.session.commit()
    return redirect(_same_staff_page(request.form.get("next", "")), code=303)


def _same_staff_page(path: str) -> str:
    """Only a back-office path of this site: never a redirect elsewhere."""
    if is_staff_path(path) and not path.startswith("//") and "\\" not in path:
        return path
    return url_for("backoffice.queue")
