"""The survivor's voice in the mailbox: after a decision and after her file
closed, she may say how it was, or decline. Only she, in her opened mailbox,
ever sees the invitation (core.casework.feedback)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.casework import feedback
from portal.blueprint import bp
from portal.forms import ConfirmForm, FeedbackForm
from portal.views.mailbox import opened_intake
from web.db import db


def _open_moment():
    """Her request and the moment she is invited for; else back to the mailbox."""
    intake = opened_intake()
    if intake is None:
        return None, None
    return intake, feedback.pending_moment(db.session, intake)


@bp.route("/<lang:lang>/return/feedback", methods=["GET", "POST"])
def give_feedback():
    intake, moment = _open_moment()
    if intake is None or moment is None:
        return redirect(url_for("portal.return_visit"), code=303)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return render_template("portal/feedback.html", form=form, moment=moment)
    stored = feedback.give(
        db.session,
        intake,
        moment,
        feedback.Answers(
            felt_safe=form.felt_safe.data or None,
            told_again=form.told_again.data or None,
            listened_to=form.listened_to.data or None,
            got_help=form.got_help.data or None,
            tell_a_friend=form.tell_a_friend.data or None,
            free_text=form.free_text.data,
        ),
    )
    db.session.commit()
    if stored is None:  # nothing answered: a "no, thank you"
        flash(_("That is fine. We will not ask again for now."))
    else:
        flash(
            _("Thank you. Your answers help us to do better. They are not linked to your request.")
        )
    return redirect(url_for("portal.return_visit"), code=303)


@bp.post("/<lang:lang>/return/feedback/no")
def decline_feedback():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    intake, moment = _open_moment()
    if intake is not None and moment is not None:
        feedback.decline(db.session, intake, moment)
        db.session.commit()
        flash(_("That is fine. We will not ask again for now."))
    return redirect(url_for("portal.return_visit"), code=303)
