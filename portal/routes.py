"""Portal views: short, the rules live in core."""

from __future__ import annotations

import secrets

from flask import current_app, g, redirect, render_template, request, session, url_for

from core import return_codes
from core.db import db
from core.i18n import DEFAULT_LANGUAGE
from core.intakes import AlreadySubmitted, ContactRequest, submit_contact_request
from core.security import csrf, limiter
from portal import bp
from portal.forms import ContactForm

SUBMIT_LIMIT = "10 per minute; 60 per hour"
# Tells the browser to drop everything the portal left: cookies, cache, storage.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@bp.get("/")
def choose_language():
    languages = current_app.config["FJC_LANGUAGES"]
    language = request.accept_languages.best_match(languages, default=DEFAULT_LANGUAGE)
    response = redirect(url_for("portal.home", lang=language))
    response.headers["Vary"] = "Accept-Language"
    return response


@bp.route("/exit", methods=["GET", "POST"])
@csrf.exempt  # the exit must always work, also from a beacon that carries no token
@limiter.exempt
def quick_exit():
    session.clear()
    response = redirect(current_app.config["FJC_EXIT_URL"], code=303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.delete_cookie(current_app.config["SESSION_COOKIE_NAME"])
    return response


@bp.get("/<lang:lang>/")
def home():
    return render_template("portal/home.html")


@bp.route("/<lang:lang>/contact", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def contact():
    form = ContactForm()
    if request.method == "GET":
        form.submission_id.data = secrets.token_urlsafe(16)
    if not form.validate_on_submit():
        return render_template("portal/contact.html", form=form)
    data = ContactRequest(
        language=g.lang,
        phone=form.phone.data,
        email=form.email.data,
        may_call={"yes": True, "no": False}.get(form.may_call.data),
        story=form.story.data,
        submission_id=form.submission_id.data or None,
    )
    try:
        _intake, code = submit_contact_request(db.session, data)
        db.session.commit()
    except AlreadySubmitted:
        return render_template("portal/already_sent.html")
    # Shown in this response only: the code is not stored and not put in a URL.
    return render_template("portal/contact_sent.html", return_code=return_codes.display(code))
