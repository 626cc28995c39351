"""Portal pages that are not a door: language choice, the landing page, quick
exit, and staying safe online (what the quick exit does and does not hide)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for

from portal.blueprint import bp
from portal.views.mailbox import close_mailbox_session
from portal.views.talk import end_talk_session
from web.i18n import DEFAULT_LANGUAGE
from web.security import csrf, limiter
from web.shared_pages import shared_page

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
    # An open mailbox ends on the server too, before the session is cleared.
    close_mailbox_session()
    # So does an open conversation ("Talk now"): the team sees it ended with
    # the quick exit, and the token in a copied cookie opens nothing.
    end_talk_session()
    session.clear()
    # GET and POST alike answer 303 to the neutral site (the URL contract). The
    # beacon that exit.js sends does not follow it: the session is already over.
    response = redirect(current_app.config["FJC_EXIT_URL"], code=303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    # The same attributes as the cookie it removes, so every browser drops it.
    config = current_app.config
    response.delete_cookie(
        config["SESSION_COOKIE_NAME"],
        path=config.get("SESSION_COOKIE_PATH") or "/",
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
        httponly=bool(config.get("SESSION_COOKIE_HTTPONLY", True)),
        samesite=config.get("SESSION_COOKIE_SAMESITE"),
    )
    return response


@bp.get("/<lang:lang>/")
def home():
    # The same for every visitor in a language (web.shared_pages).
    return shared_page("portal/home.html", lambda: render_template("portal/home.html"))


@bp.get("/<lang:lang>/safety")
def safety():
    # The same for every visitor in a language at an address (it shows the
    # address in full): web.shared_pages keys a copy by both.
    return shared_page("portal/safety.html", lambda: render_template("portal/safety.html"))
