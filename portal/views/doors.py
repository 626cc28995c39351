"""The doors: ask to be contacted, ask a question, refer someone, and the door
for young people."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf

from core.intake import return_codes
from core.intake.intakes import AlreadySubmitted, ReferralDetails, SafeContact, Submission, store
from core.intake.notify import notify_team_if_urgent
from core.intake.resend import WINDOW as RESEND_WINDOW
from core.intake.resend import give_code_again
from core.model import IntakeKind
from core.network.centres import MunicipalityOffer, centre_for
from portal import receipts
from portal.blueprint import bp
from portal.centre_text import centre_text
from portal.forms import ContactForm, QuestionForm, ReferralForm, SafeContactForm, YoungForm
from web.db import db
from web.security import limiter
from web.shared_pages import shared_page

SUBMIT_LIMIT = "10 per minute; 60 per hour"
# The forms this browser session loaded lately (core.intake.resend): only they
# may be given their code again. The quick exit ends the session, and them.
LOADED_FORMS = "loaded_forms"
LOADED_FORMS_KEPT = 5


def _safe_contact_form(
    form_class: type[SafeContactForm], municipalities: MunicipalityOffer
) -> SafeContactForm:
    # Every municipality of the network: the answer routes the request.
    return form_class(languages=current_app.config["FJC_LANGUAGES"], municipalities=municipalities)


def _safe_contact(form: SafeContactForm) -> SafeContact:
    phone_permissions = set(form.phone_permissions.data or [])
    return SafeContact(
        name=form.name.data,
        phone=form.phone.data,
        email=form.email.data,
        may_call="call" in phone_permissions,
        may_text="text" in phone_permissions,
        may_voicemail="voicemail" in phone_permissions,
        phone_say_who="say_who" in phone_permissions,
        email_say_who=bool(form.email_say_who.data),
        safe_days=tuple(form.safe_days.data or ()),
        safe_times=tuple(form.safe_times.data or ()),
        safe_word=form.safe_word.data,
        contact_language=form.contact_language.data,
        interpreter_needed=bool(form.interpreter_needed.data),
    )


def _safe_contact_submission(form: SafeContactForm, kind: IntakeKind) -> dict:
    """What door 1 and door 3 both send: the safe-contact answers and the story."""
    return {
        "kind": kind,
        "language": g.lang,
        "contact": _safe_contact(form),
        "municipality_id": form.municipality_id(),
        "children_involved": form.children_involved.data or None,
        "story": form.story.data,
        "submission_id": form.submission_id.data or None,
    }


def _form_page(template: str, make_form: Callable[[], FlaskForm], *dependencies):
    """A door's GET. A form sent back with problems shows what she typed;
    otherwise the blank form, with a new one-time submission id. The blank
    page is the copy every visitor gets (web.shared_pages) with this visit's
    CSRF token and submission id in it: its form is built only to render the
    copy. `dependencies`: what else the form's markup shows (the list of
    municipalities)."""
    form = None
    if receipts.sent_back_waiting():
        form = make_form()
        # Sent back with problems (post, redirect, get): what she typed, and
        # its submission id, so a form sent again is still known.
        if receipts.restore(form):
            return render_template(template, form=form)
    submission_id = secrets.token_urlsafe(16)
    loaded = session.get(LOADED_FORMS, [])
    session[LOADED_FORMS] = [*loaded, submission_id][-LOADED_FORMS_KEPT:]

    def render() -> str:
        blank = form or make_form()
        blank.submission_id.data = submission_id
        if hasattr(blank, "contact_language"):
            blank.contact_language.data = g.lang
        # Nothing of anyone's in its fields: their markup may be the shared copy.
        return render_template(template, form=blank, blank_form=True)

    # The token the form's own field would show (flask-wtf keeps one a request).
    tokens = {"csrf_token": generate_csrf(), "submission_id": submission_id}
    return shared_page(template, render, *dependencies, tokens=tokens)


def _handle(form, template: str, kind: IntakeKind, build: Callable[[], Submission]):
    """The flow all doors share when a form is sent: validate, store once,
    show the code once."""
    if not form.validate_on_submit():
        return receipts.send_back(form) or render_template(template, form=form)
    if form.is_bot():
        # Look the same to a bot (its centre's hours too); store nothing.
        municipality_id = form.municipality_id() if hasattr(form, "municipality_id") else None
        centre_id = centre_for(db.session, municipality_id).id
        return _to_receipt(kind, False, return_codes.generate(), None, centre_id)
    data = build()
    try:
        stored, code = store(db.session, data)
        db.session.commit()
    except AlreadySubmitted:
        return _sent_before(form, kind)
    notify_team_if_urgent(current_app.config, stored)
    return _to_receipt(kind, data.danger_now, code, data.submission_id, stored.centre_id)


def _to_receipt(
    kind: IntakeKind,
    danger: bool,
    code: str,
    submission_id: str | None,
    centre_id: int,
    *,
    given_again: bool = False,
):
    """Post, redirect, get (portal.receipts): the code is never in a URL and
    never stored; it waits, encrypted, in the session for the next page."""
    receipts.keep(
        kind=kind,
        danger=danger,
        return_code=return_codes.display(code),
        submission_id=submission_id,
        centre_id=centre_id,
        given_again=given_again,
    )
    return redirect(url_for("portal.sent"), code=303)


@bp.get("/<lang:lang>/sent")
def sent():
    receipt = receipts.take()
    if receipt is None:
        # Seen already, or the quick exit ended the session: nothing to show,
        # but what to do next (the same form gets its code again this long).
        return render_template(
            "portal/sent_gone.html", resend_minutes=int(RESEND_WINDOW.total_seconds() // 60)
        )
    # She has seen the code now: the same form sent again is only "already sent"
    # (core.intake.resend gives a code again only when it never arrived).
    session[LOADED_FORMS] = [
        loaded for loaded in session.get(LOADED_FORMS, []) if loaded != receipt.get("form")
    ]
    return render_template(
        "portal/sent.html",
        kind=receipt["kind"],
        danger=receipt["danger"],
        return_code=receipt["code"],
        given_again=receipt["again"],
        **centre_text(receipt.get("centre")),
    )


def _sent_before(form, kind: IntakeKind):
    """The same form again: its code again when its answer may have been lost
    (core.intake.resend says when), else only that it arrived."""
    submission_id = form.submission_id.data
    given = None
    if submission_id and submission_id in session.get(LOADED_FORMS, []):
        given = give_code_again(db.session, submission_id)
    if given is None:
        db.session.rollback()
        return render_template("portal/already_sent.html")
    intake, code = given
    db.session.commit()
    return _to_receipt(
        kind, intake.danger_now, code, submission_id, intake.centre_id, given_again=True
    )


@bp.route("/<lang:lang>/contact", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def contact():
    municipalities = MunicipalityOffer(db.session)
    if request.method == "GET":
        return _form_page(
            "portal/contact.html",
            lambda: _safe_contact_form(ContactForm, municipalities),
            municipalities.listed(),
        )
    form = _safe_contact_form(ContactForm, municipalities)
    return _handle(
        form,
        "portal/contact.html",
        IntakeKind.CONTACT,
        lambda: Submission(
            **_safe_contact_submission(form, IntakeKind.CONTACT),
            danger_now=form.danger_now.data == "yes",
        ),
    )


def _young_submission(form: YoungForm) -> Submission:
    """Only the way they chose: a number given for a text is not one to call."""
    reach = form.reach.data
    uses_phone = reach in ("text", "call")
    return Submission(
        kind=IntakeKind.YOUNG,
        language=g.lang,
        contact=SafeContact(
            phone=form.phone.data if uses_phone else None,
            may_call=reach == "call",
            may_text=reach == "text",
            may_voicemail=False,
            # Someone else may see a young person's phone or mail: we never say who we are.
            phone_say_who=False,
            email_say_who=False,
            email=form.email.data if reach == "email" else None,
            safe_times=tuple(form.safe_times.data or ()) if uses_phone else (),
            contact_language=g.lang,
            trusted_adult=form.trusted_adult.data if reach == "trusted_adult" else None,
        ),
        municipality_id=form.municipality_id(),
        danger_now=form.safe_now.data == "no",
        story=form.story.data,
        age_range=form.age_range.data or None,
        submission_id=form.submission_id.data or None,
    )


@bp.route("/<lang:lang>/young", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def young():
    municipalities = MunicipalityOffer(db.session)
    if request.method == "GET":
        return _form_page(
            "portal/young.html",
            lambda: YoungForm(municipalities=municipalities),
            municipalities.listed(),
        )
    form = YoungForm(municipalities=municipalities)
    return _handle(form, "portal/young.html", IntakeKind.YOUNG, lambda: _young_submission(form))


@bp.route("/<lang:lang>/question", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def question():
    if request.method == "GET":
        return _form_page("portal/question.html", QuestionForm)
    form = QuestionForm()
    return _handle(
        form,
        "portal/question.html",
        IntakeKind.QUESTION,
        lambda: Submission(
            kind=IntakeKind.QUESTION,
            language=g.lang,
            story=form.question.data,
            submission_id=form.submission_id.data or None,
        ),
    )


@bp.route("/<lang:lang>/referral", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def referral():
    municipalities = MunicipalityOffer(db.session)
    if request.method == "GET":
        return _form_page(
            "portal/referral.html",
            lambda: _safe_contact_form(ReferralForm, municipalities),
            municipalities.listed(),
        )
    form = _safe_contact_form(ReferralForm, municipalities)
    return _handle(
        form,
        "portal/referral.html",
        IntakeKind.REFERRAL,
        lambda: Submission(
            **_safe_contact_submission(form, IntakeKind.REFERRAL),
            referral=ReferralDetails(
                organisation=form.referrer_organisation.data,
                role=form.referrer_role.data,
                name=form.referrer_name.data,
                phone=form.referrer_phone.data,
                email=form.referrer_email.data,
                contact_via_referrer=bool(form.contact_via_referrer.data),
                client_consent=form.client_consent.data,
                legal_basis=form.legal_basis.data or None,
                basis_note=form.basis_note.data,
                risk_concerns=tuple(form.risk_concerns.data or ()),
                risk_text=form.risk_text.data,
                urgency=form.urgency.data,
            ),
        ),
    )
