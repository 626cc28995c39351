"""Finishing a sign-in, and setting up the second factor: at the first sign-in
(production requires one) or later from the account page."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from backoffice.access import sign_in
from backoffice.forms.accounts import CodeForm, account_message
from core.identity import accounts, signin, totp, two_factor
from core.identity.permissions import Permission, role_allows
from core.infra import clock
from core.model import Staff
from core.rules import RuleError
from web.db import db
from web.forms import show_rule_error
from web.qr import totp_qr_svg

LOGIN_LIMIT = "10 per minute; 50 per hour"


def landing_for(role: str) -> str:
    if role_allows(role, Permission.VIEW_INTAKES):
        return url_for("backoffice.queue")
    return url_for("backoffice.account")


def finish_sign_in(staff: Staff, method: str) -> None:
    token = signin.complete(db.session, staff, clock.now(), method)
    db.session.commit()
    sign_in(staff, token)


def enrolment(staff: Staff, *, pending: bool):
    """Show the QR code and the secret; a right code switches the factor on."""
    if two_factor.has_second_factor(staff):
        return redirect(url_for("backoffice.account"))
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
                "backoffice/account_recovery_codes.html",
                codes=codes,
                next_url=landing_for(staff.role),
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
        "backoffice/enrolment.html",
        form=form,
        qr=totp_qr_svg(secret, staff.email),
        secret=totp.grouped(secret),
        pending=pending,
    )
