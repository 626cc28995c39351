"""Languages: the portal's language is in its URL; staff pages follow the browser.

English msgids, Dutch the default. Right-to-left languages set dir="rtl".
A portal page whose URL names no known language (a 404 such as /xx/) is shown
in the browser's best portal language, so the person can still read it.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel
from werkzeug.routing import BaseConverter

from core.infra.config import PROJECT_ROOT

DEFAULT_LANGUAGE = "nl"
STAFF_LANGUAGES = ("nl", "fr", "en")
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
    "fa": "فارسی",
}

babel = Babel()


STAFF_PREFIX = "/staff"


def is_staff_path(path: str) -> bool:
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


def path_language() -> str | None:
    """The configured language the URL starts with (/fr/...), else None."""
    first = request.path.lstrip("/").split("/", 1)[0]
    return first if first in current_app.config["FJC_LANGUAGES"] else None


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if g.get("lang"):
        return g.lang
    if is_staff_path(request.path):
        return request.accept_languages.best_match(STAFF_LANGUAGES, default=DEFAULT_LANGUAGE)
    # A portal page that matched no route (a 404): the language in its URL if
    # that is one of ours, else the browser's best portal language.
    return path_language() or request.accept_languages.best_match(
        current_app.config["FJC_LANGUAGES"], default=DEFAULT_LANGUAGE
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
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Brussels")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale)
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
        }
