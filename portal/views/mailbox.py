"""Coming back with a return code: status, replies, more information, deletion.

The opened mailbox is a session on the server (core.intake.mailbox_sessions);
the browser's cookie holds only its random token, never the code. Closing,
the quick exit, 30 idle minutes or two hours end it on the server, so a
copied cookie opens nothing afterwards.
"""

from __future__ import annotations

from flask import (
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from core.casework import feedback, partner_access
from core.casework.cases import case_of
from core.intake import mailbox_sessions
from core.intake.mailbox import (
    add_requester_message,
    erase,
    replies_read,
    requester_status,
)
from core.model import Centre, Intake, IntakeKind
from portal import receipts
from portal.blueprint import bp
from portal.centre_text import centre_text
from portal.forms import AddInformationForm, ConfirmForm, ReturnCodeForm
from portal.views.talk import kept_transcript
from web.db import db
from web.security import limiter
from web.shared_pages import shared_page

MAILBOX_KEY = "mailbox"
# Per client (an IPv4 address or an IPv6 /64, web.security.client_key). There is
# no cap for everyone together: an attacker could fill it and keep every
# person with a valid code out of her mailbox. 16 digits stay safe without it:
# docs/privacy.md gives the arithmetic.
CODE_LIMIT_PER_CLIENT = "10 per minute; 30 per hour"


def close_mailbox_session() -> None:
    """End the mailbox on the server too (a copied cookie then opens nothing);
    the quick exit calls this before it clears the session."""
    token = session.pop(MAILBOX_KEY, None)
    if token:
        mailbox_sessions.close(db.session, token)
        db.session.commit()


def opened_intake() -> Intake | None:
    token = session.get(MAILBOX_KEY)
    if not token:
        return None
    intake = mailbox_sessions.find(db.session, token)
    # The use is noted (idle expiry), or the end of an expired one.
    db.session.commit()
    if intake is None:
        session.pop(MAILBOX_KEY, None)
    return intake


# The parts of her file, in the words the person knows them by.
PART_WORDS = {
    "contact_details": _l("how we can reach you"),
    "story": _l("what you told us"),
    "risk_assessment": _l("how much danger you are in"),
    "safety_plan": _l("your safety plan"),
    "action_plan": _l("the plan of what we do"),
}


def partner_reads(intake: Intake) -> list[partner_access.Read] | None:
    """Which partner organisations read which parts of her file, when the
    centre shows that to the person (Centre.show_partner_reads); None when it
    does not, or this request is not hers in a file."""
    centre = db.session.get(Centre, intake.centre_id)
    if not centre.show_partner_reads or intake.kind == IntakeKind.REFERRAL:
        return None
    case = case_of(db.session, intake)
    # Only her own request: the one her person in the file has its rules from
    # (a referrer's, or another person's request linked to the file, is not).
    if case is None or not any(
        person.role == "victim" and person.contact_intake_id == intake.id for person in case.people
    ):
        return None
    return partner_access.reads_of(db.session, case)


def _mailbox_page(intake: Intake, form: AddInformationForm | None = None):
    return render_template(
        "portal/mailbox.html",
        intake=intake,
        status=requester_status(intake),
        form=form or AddInformationForm(),
        feedback_moment=feedback.pending_moment(db.session, intake),
        partner_reads=partner_reads(intake),
        part_words=PART_WORDS,
        # A conversation she chose to read again ("Talk now"), read-only.
        transcript=kept_transcript(intake),
        **centre_text(intake.centre_id),
    )


@bp.get("/<lang:lang>/return")
def return_visit():
    intake = opened_intake()
    if intake is not None:
        # The page shows her the team's replies: now she has read them.
        if replies_read(db.session, intake):
            db.session.commit()
        form = AddInformationForm()
        receipts.restore(form)  # a message sent back with its problem, once
        return _mailbox_page(intake, form)
    # Nothing of hers waiting (a form sent back, a message such as "your
    # request is deleted"): the blank page every visitor gets, copied with
    # this visit's CSRF token (web.shared_pages), no form object. The
    # template makes one when the copy is made. The messages read here are
    # the ones the template shows (Flask keeps them for the request).
    if not receipts.sent_back_waiting() and not get_flashed_messages():
        return shared_page(
            "portal/return.html",
            lambda: render_template("portal/return.html", form=None, new_form=ReturnCodeForm),
            tokens={"csrf_token": generate_csrf()},
        )
    form = ReturnCodeForm()
    # A wrong code: what she typed and the problem, once; else a blank form.
    blank = not receipts.restore(form)
    return render_template("portal/return.html", form=form, blank_form=blank)


def _opened(typed_code: str):
    """The redirect to her mailbox, opened on the server, when the code opens
    one; else None."""
    with db.single_statement() as connection:
        token = mailbox_sessions.open_by_code(connection, typed_code)
    if token is None:
        return None
    session[MAILBOX_KEY] = token
    return redirect(url_for("portal.return_visit"), code=303)


@bp.post("/<lang:lang>/return")
@limiter.limit(CODE_LIMIT_PER_CLIENT)
def open_mailbox():
    # A well-formed code is tried before any form is built: the answer to one
    # that opens her mailbox is a redirect, no page (building the form and a
    # new CSRF token for it was a sixth of this request). The CSRF token sent
    # was checked before the view, as for every POST (web.security.csrf).
    code = None if request.files else ReturnCodeForm.well_formed_code(request.form)
    if code is not None and (opened := _opened(code)):
        return opened
    form = ReturnCodeForm()
    if form.validate_on_submit():
        # A well-formed code was tried once, above: it opened nothing.
        if code is None and (opened := _opened(form.code.data or "")):
            return opened
        # The same words for a code that never existed and one that was deleted.
        form.code.errors = [
            _("We could not open a request with this code. Check the 16 digits and try again.")
        ]
    # Post, redirect, get (portal.receipts): Back after the quick exit must
    # not offer to send the code again.
    return receipts.send_back(form) or render_template("portal/return.html", form=form)


@bp.post("/<lang:lang>/return/message")
def add_information():
    intake = opened_intake()
    if intake is None:
        return redirect(url_for("portal.return_visit"), code=303)
    form = AddInformationForm()
    if not form.validate_on_submit():
        return receipts.send_back(form, to=url_for("portal.return_visit")) or _mailbox_page(
            intake, form
        )
    add_requester_message(db.session, intake, form.body.data.strip())
    db.session.commit()
    flash(_("Thank you. We added your message to your request."))
    return redirect(url_for("portal.return_visit"), code=303)


@bp.route("/<lang:lang>/return/delete", methods=["GET", "POST"])
def delete_request():
    intake = opened_intake()
    if intake is None:
        return redirect(url_for("portal.return_visit"), code=303)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("portal/delete.html", form=form, **centre_text(intake.centre_id))
    erase(db.session, intake)
    db.session.commit()
    session.pop(MAILBOX_KEY, None)
    receipts.keep_deleted()
    return redirect(url_for("portal.request_deleted"), code=303)


@bp.get("/<lang:lang>/return/deleted")
def request_deleted():
    """Shown once, after the POST (post, redirect, get); later, as after the
    quick exit, the page to come back with a code."""
    if not receipts.take_deleted():
        return redirect(url_for("portal.return_visit"), code=303)
    return render_template("portal/deleted.html")


@bp.post("/<lang:lang>/return/close")
def close_mailbox():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    close_mailbox_session()
    # She lands where she would come back, told what happened: only the
    # mailbox on this device closed, the request stays. No data in the URL.
    flash(
        _(
            "Your mailbox is closed on this device. Your request stays with us. "
            "You can come back with your return code."
        )
    )
    return redirect(url_for("portal.return_visit"), code=303)
