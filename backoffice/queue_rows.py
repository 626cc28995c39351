"""The queue's rows (backoffice/templates/backoffice/queue.html), written here
instead of in the template.

The queue shows 50 rows of 8 cells; Jinja wrote them with about 150 calls,
550 escapes and 900 attribute look-ups a page, most of the time the staff home
page spent rendering. Here each row is one string of values escaped one by
one (markupsafe.escape, as Jinja's autoescape does), and the words a row
repeats are translated and escaped once (backoffice.page_words). The markup
is the template's, to the byte (tests/backoffice/test_queue_rows.py compares
them): change both together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from backoffice.page_words import escaped, escaped_waiting_words
from core.intake.queue import QueueRow
from web.casefile.labels import KIND_LABELS, REASON_LABELS, STATUS_LABELS
from web.i18n import LANGUAGE_NAMES, format_datetime

NO_VALUE = "–"


@dataclass(frozen=True)
class RowWords:
    """What every row of a page writes the same way: translated and escaped
    once a page (the labels once per language)."""

    request_url: str
    kind_labels: Mapping[str, Markup]
    status_labels: Mapping[str, Markup]
    reason_labels: Mapping[str, Markup]
    language_names: Mapping[str, Markup]
    holders: Mapping[int | None, Markup]
    waiting_words: Callable[[timedelta], Markup]
    callback_time: Callable[[datetime], str]
    call_back_at: Markup  # "Call back at %(when)s", translated, not yet formatted
    due_now: Markup
    overdue: Markup


def _as_template_writes(translation: str) -> Markup:
    """A word as Jinja's `_()` writes it with autoescape: the translators'
    text is markup (not escaped), and always formatted ("%%" is "%")."""
    return Markup(translation) % {}  # noqa: S704 - a translation, as Jinja's _() takes it


# The languages' own names, escaped once.
_LANGUAGE_NAMES = {code: escape(name) for code, name in LANGUAGE_NAMES.items()}
_NO_HOLDER = escape(NO_VALUE)


# Language -> the three words of the rows, as Jinja's `_()` wrote them.
_ROW_WORDS: dict[str, tuple[Markup, Markup, Markup]] = {}


def _words_in(language: str) -> tuple[Markup, Markup, Markup]:
    found = _ROW_WORDS.get(language)
    if found is None:
        found = (
            # Formatted per row, which escapes the time, as `_(..., when=...)` does.
            Markup(gettext("Call back at %(when)s")),  # noqa: S704 - as _() does
            _as_template_writes(gettext("due now")),
            _as_template_writes(gettext("overdue")),
        )
        _ROW_WORDS[language] = found
    return found


def row_words(request_url: str, holders: Mapping[int, str]) -> RowWords:
    """The request's words for the rows (its language, found once), and who
    holds them."""
    language = str(get_locale())
    call_back_at, due_now, overdue = _words_in(language)
    return RowWords(
        request_url=request_url,
        kind_labels=escaped(KIND_LABELS, language),
        status_labels=escaped(STATUS_LABELS, language),
        reason_labels=escaped(REASON_LABELS, language),
        language_names=_LANGUAGE_NAMES,
        holders={staff_id: escape(name) for staff_id, name in holders.items()},
        waiting_words=escaped_waiting_words(language),
        callback_time=lambda at: format_datetime(at, "medium"),
        call_back_at=call_back_at,
        due_now=due_now,
        overdue=overdue,
    )


def _callback(row: QueueRow, words: RowWords) -> str:
    intake = row.intake
    if not intake.callback_at or intake.first_contact_at:
        return ""
    said = words.call_back_at % {"when": words.callback_time(intake.callback_at)}
    due = f" <strong>{words.due_now}</strong>" if row.callback_due else ""
    return f'<p class="callback">{said}{due}</p>'


def _reasons(row: QueueRow, words: RowWords) -> str:
    if row.reasons:
        labels = words.reason_labels
        items = "".join(f"<li>{labels.get(r.code, '')}</li>" for r in row.reasons)
        return f'<ul class="reasons">{items}</ul>'
    return "" if row.intake.callback_at else NO_VALUE


def _row(row: QueueRow, words: RowWords, request_url: str) -> str:
    intake = row.intake
    number = int(intake.id)  # a number: nothing to escape
    overdue = f" <strong>{words.overdue}</strong>" if row.overdue else ""
    holder = words.holders.get(intake.assigned_to_id, _NO_HOLDER)
    language = words.language_names.get(intake.language)
    if language is None:
        language = escape(intake.language)
    return (
        "\n    \n"
        f'    <tr class="{"overdue" if row.overdue or row.callback_due else ""}">\n'
        f'      <td><a href="{request_url}{number}">#{number}</a></td>\n'
        f"      <td>{_callback(row, words)}\n"
        f"        {_reasons(row, words)}\n"
        "      </td>\n"
        f"      <td>{words.waiting_words(row.waiting)}{overdue}</td>\n"
        f"      <td>{words.kind_labels.get(intake.kind, '')}</td>\n"
        f"      <td>{words.status_labels.get(intake.status, '')}</td>\n"
        f"      <td>{holder}</td>\n"
        f"      <td>{escape(intake.municipality_name or NO_VALUE)}</td>\n"
        f"      <td>{language}</td>\n"
        "    </tr>\n  "
    )


def rows_markup(rows: list[QueueRow], words: RowWords) -> Markup:
    """The table body's rows, as the template's loop wrote them."""
    request_url = escape(words.request_url)
    rows_written = "".join(_row(row, words, request_url) for row in rows)
    return Markup(rows_written)  # noqa: S704 - every value in it went through escape()
