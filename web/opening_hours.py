"""When the team is there, in the reader's language: "Monday – Friday",
"9:00 AM – 5:00 PM".

The centre file keeps opening hours as data ({"mon": ["09:00-17:00"], ...},
core.network.centres). Days in a row with the same hours are told once, so a
usual week is one line. Every word comes from CLDR through Babel in the
page's language (flask_babel's locale): weekday names, times, the locale's
own way to write a range ("{0} – {1}"; Persian writes "{0} تا {1}") and its
"and". The portal speaks twelve languages, two of them right to left, and a
range or a list written by hand would be right in a few of them only; no
msgid is needed, so no catalogue can lag behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from babel import Locale, lists
from flask_babel import format_time, get_locale

from core.network.centres import WEEKDAYS

# A run of days this long or longer is told by its ends ("Monday – Friday");
# two days are told both ("Monday and Tuesday").
RANGE_FROM = 3
FALLBACK_RANGE = "{0} – {1}"


@dataclass(frozen=True)
class TeamHours:
    days: str
    hours: str


def team_hours(opening_hours: Mapping[str, Sequence[str]] | None) -> list[TeamHours]:
    """One line per run of consecutive days that share their hours, Monday
    first; no lines when the centre gives no hours."""
    locale = _locale()
    runs: list[tuple[list[int], tuple[str, ...]]] = []
    for number, day in enumerate(WEEKDAYS):
        spans = tuple(sorted((opening_hours or {}).get(day) or ()))
        if not spans:
            continue
        if runs and runs[-1][0][-1] == number - 1 and runs[-1][1] == spans:
            runs[-1][0].append(number)
        else:
            runs.append(([number], spans))
    return [
        TeamHours(days=_days(numbers, locale), hours=_spans(spans, locale))
        for numbers, spans in runs
    ]


def _locale() -> Locale:
    return get_locale() or Locale.parse("nl")


def _days(numbers: list[int], locale: Locale) -> str:
    # Babel numbers the days from Monday (0), as WEEKDAYS does.
    names = locale.days["format"]["wide"]
    if len(numbers) >= RANGE_FROM:
        return _range(names[numbers[0]], names[numbers[-1]], locale)
    return lists.format_list([names[number] for number in numbers], locale=locale)


def _spans(spans: Sequence[str], locale: Locale) -> str:
    ranges = [_range(_time(span[:5]), _time(span[6:]), locale) for span in spans]
    return lists.format_list(ranges, locale=locale)


def _range(first: str, last: str, locale: Locale) -> str:
    # CLDR's fallback interval pattern: how the language writes "from - to".
    pattern = str(locale.interval_formats.get(None) or FALLBACK_RANGE)
    return pattern.replace("{0}", first).replace("{1}", last)


def _time(hh_mm: str) -> str:
    hours, minutes = int(hh_mm[:2]), int(hh_mm[3:])
    # The centre file allows "24:00" as the end of a day: midnight. The hours
    # are the centre's local time already: no time zone to convert to.
    return format_time(time(hours % 24, minutes), "short", rebase=False)
