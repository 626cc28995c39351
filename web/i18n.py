"""Languages: the portal's language is in its URL; staff pages follow the
language the person chose (on the account, or before signing in in the
session), else the browser.

English msgids, Dutch the default. Right-to-left languages set dir="rtl".
A portal page whose URL names no known language (a 404 such as /xx/) is shown
in the browser's best portal language, so the person can still read it.

Dates and times are shown in the centre's time zone, short: the reader's
medium date with a short time ("Dec 2, 2026, 9:00 AM"), never seconds or a
zone name, which made every staff page hard to scan.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from babel import dates
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale, get_timezone, get_translations
from werkzeug.routing import BaseConverter

from core.identity.accounts import STAFF_LANGUAGES
from core.infra.config import PROJECT_ROOT
from core.network.centres import CentreMissing, default_centre
from web.db import db
from web.sessions import is_professional_path

DEFAULT_LANGUAGE = "nl"
DEFAULT_TIMEZONE = "Europe/Brussels"
# The lengths a template may ask for; "long" and "full" would bring back the
# weekday, the seconds and the zone name ("Central European Standard Time").
Length = Literal["short", "medium"]
DATE_LENGTHS: tuple[Length, ...] = ("short", "medium")
# Where the back office keeps a language chosen before signing in.
STAFF_LANGUAGE_KEY = "staff_language"
RTL_LANGUAGES = frozenset({"ar", "fa"})
# Each language in its own name and script, for the language menu.
LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "fr": "Français",
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "tr": "Türkçe",
    "pl": "Polski",
    "ro": "Română",
    "bg": "Български",
    "uk": "Українська",
    "ru": "Русский",
    "fa": "فارسی / دری",
}

babel = Babel()


def path_language() -> str | None:
    """The configured language the URL starts with (/fr/...), else None."""
    first = request.path.lstrip("/").split("/", 1)[0]
    return first if first in current_app.config["FJC_LANGUAGES"] else None


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if g.get("lang"):
        return g.lang
    if is_professional_path(request.path):
        return staff_language()
    # A portal page that matched no route (a 404): the language in its URL if
    # that is one of ours, else the browser's best portal language.
    return path_language() or request.accept_languages.best_match(
        current_app.config["FJC_LANGUAGES"], default=DEFAULT_LANGUAGE
    )


def staff_language() -> str:
    staff = g.get("staff")
    if staff is not None and staff.language in STAFF_LANGUAGES:
        return staff.language
    chosen = session.get(STAFF_LANGUAGE_KEY)
    if chosen in STAFF_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(STAFF_LANGUAGES, default=DEFAULT_LANGUAGE)


def select_timezone() -> str | None:
    """The zone of the centre this request works for (g.centre on the staff
    and partner faces, else the default centre's); None (the default zone)
    when no centre was loaded yet. flask-babel asks once per request, and only
    when a page formats a date."""
    centre = g.get("centre")
    if centre is not None:
        return centre.timezone
    try:
        return default_centre(db.session).timezone
    except CentreMissing:
        return None


def _length(length: str) -> Length:
    for allowed in DATE_LENGTHS:
        if length == allowed:
            return allowed
    raise ValueError(f"dates are shown {' or '.join(DATE_LENGTHS)}, not {length!r}")


def _in_centre_zone(value: datetime) -> datetime:
    # A naive datetime is UTC: the database keeps UTC (core.model.base.UTCDateTime).
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(get_timezone())


def format_datetime(value: datetime, length: str = "medium") -> str:
    """The date at `length` with a short time, joined the way the locale joins
    them: en "Dec 2, 2026, 9:00 AM", nl "2 dec 2026, 09:00"."""
    chosen, locale = _length(length), get_locale()
    local = _in_centre_zone(value)
    return (
        str(dates.get_datetime_format(chosen, locale=locale))
        .replace("'", "")
        .replace("{0}", dates.format_time(local, "short", tzinfo=local.tzinfo, locale=locale))
        .replace("{1}", dates.format_date(local.date(), chosen, locale=locale))
    )


def format_date(value: date, length: str = "medium") -> str:
    """A date (a due date) as it is; a datetime as its day in the centre's zone."""
    chosen = _length(length)
    if isinstance(value, datetime):
        value = _in_centre_zone(value).date()
    return dates.format_date(value, chosen, locale=get_locale())


def _request_translations():
    """The catalogue of the request's language, found once per request.

    flask-babel's template functions look it up again for every word (four
    context lookups: 40 % of a plain portal page's time). It is kept in
    flask-babel's own per-request slot, `babel_translations`, which its
    force_locale() empties and restores and refresh() drops: a page rendered
    in another language (an access copy) still gets that language's words."""
    found = getattr(g.get("_flask_babel"), "babel_translations", None)
    if found is None:
        found = get_translations()
        context = g.get("_flask_babel")  # made by get_translations
        if context is not None:
            context.babel_translations = found
    return found


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )


def text_direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def make_language_converter(languages: list[str]) -> type[BaseConverter]:
    """A URL converter that matches only configured languages, so others 404."""
    pattern = "|".join(sorted(languages, key=len, reverse=True))

    class LanguageConverter(BaseConverter):
        regex = f"(?:{pattern})"

    return LanguageConverter


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    _install_template_gettext(app)
    # Ours replace flask-babel's filters of the same names.
    app.jinja_env.filters.update(datetimeformat=format_datetime, dateformat=format_date)
    app.url_map.converters["lang"] = make_language_converter(app.config["FJC_LANGUAGES"])

    @app.context_processor
    def _language_context():
        language = select_locale()
        return {
            "page_lang": language,
            "page_dir": text_direction(language),
            "language_names": LANGUAGE_NAMES,
            "text_direction": text_direction,
            "url_language": path_language() if has_request_context() else None,
            "staff_languages": STAFF_LANGUAGES,
            "current_language": language,
        }
