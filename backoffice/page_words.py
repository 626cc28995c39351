"""Words that a page repeats on every row, translated once per language.

The queue writes a door, a status, reasons and a wait on each of its 50 rows.

A label of web.casefile.labels is a lazy string: each time a template shows
it, flask-babel finds the request's catalogue again and translates it (about
8 µs); babel's format_timedelta looks up the locale's patterns (about 4 µs).
The catalogues and patterns do not change while the process runs, so each
table of labels is translated once per language, and each way of writing a
wait is formatted once, and kept. Only words and codes are kept here, never
anything of a request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from threading import Lock

from babel.dates import TIMEDELTA_UNITS
from flask_babel import format_timedelta, get_locale
from markupsafe import Markup, escape

# (id of the labels' table, language) -> (the table, {code: words}). Keeping the
# table keeps its id from being reused by another object.
_translated: dict[tuple[int, str], tuple[Mapping[str, object], dict[str, str]]] = {}
_lock = Lock()


def translated(labels: Mapping[str, object], language: str | None = None) -> dict[str, str]:
    """`labels` ({code: lazy string}) in the request's language (`language`,
    when the caller found it already), as plain text (which the template
    escapes, as it did the lazy string)."""
    key = (id(labels), language or str(get_locale()))
    found = _translated.get(key)
    if found is None:
        found = (labels, {code: str(words) for code, words in labels.items()})
        with _lock:
            _translated[key] = found
    return found[1]


# The ways a wait is written: babel picks the largest unit the wait is at
# least 0.85 of and rounds to it ("3 days"), so the words depend only on the
# language, the unit and the rounded number, whatever the exact seconds.
_THRESHOLD = 0.85
_waits: dict[tuple[str, str, int], str] = {}


def _wait_key(language: str, waited: timedelta) -> tuple[str, str, int]:
    seconds = abs(waited.total_seconds())
    for unit, per_unit in TIMEDELTA_UNITS:
        value = seconds / per_unit
        if value >= _THRESHOLD:
            return language, unit, int(round(value))
    return language, "second", 1 if seconds > 0 else 0


def waiting_words(language: str | None = None) -> Callable[[timedelta], str]:
    """What the `timedeltaformat` filter writes for a wait ("3 days"), in the
    request's language, from a table instead of babel's patterns on each row."""
    language = language or str(get_locale())

    def words(waited: timedelta) -> str:
        key = _wait_key(language, waited)
        found = _waits.get(key)
        if found is None:
            found = format_timedelta(waited)
            with _lock:
                _waits[key] = found
        return found

    return words


# (id of the labels' table, language) -> (the table, {code: escaped words}).
_escaped: dict[tuple[int, str], tuple[Mapping[str, object], dict[str, Markup]]] = {}


def escaped(labels: Mapping[str, object], language: str | None = None) -> dict[str, Markup]:
    """`labels` as `translated` gives them, already escaped (as the template
    wrote them): escaped once per language instead of on each row."""
    language = language or str(get_locale())
    key = (id(labels), language)
    found = _escaped.get(key)
    if found is None:
        words = translated(labels, language)
        found = (labels, {code: escape(text) for code, text in words.items()})
        with _lock:
            _escaped[key] = found
    return found[1]


def escaped_waiting_words(language: str | None = None) -> Callable[[timedelta], Markup]:
    """waiting_words, escaped: the few ways a wait is written, escaped once."""
    language = language or str(get_locale())
    words = waiting_words(language)

    def escaped_words(waited: timedelta) -> Markup:
        key = ("escaped", *_wait_key(language, waited))
        found = _escaped_waits.get(key)
        if found is None:
            found = escape(words(waited))
            with _lock:
                _escaped_waits[key] = found
        return found

    return escaped_words


_escaped_waits: dict[tuple[str, str, str, int], Markup] = {}
