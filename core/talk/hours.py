"""When a centre's team is there, from the centre file's opening hours
({"mon": ["09:00-17:00"], ...}, in the centre's own time zone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.model import Centre
from core.network.centres import WEEKDAYS

# How far ahead "when is the team there next" and the call-back slots look.
LOOKAHEAD_DAYS = 8


def _spans(centre: Centre, day: datetime) -> list[tuple[datetime, datetime]]:
    """The day's opening spans as aware datetimes in the centre's zone."""
    zone = ZoneInfo(centre.timezone or "Europe/Brussels")
    local_day = day.astimezone(zone).date()
    spans = []
    for span in (centre.opening_hours or {}).get(WEEKDAYS[local_day.weekday()]) or ():
        start = datetime.combine(local_day, time(int(span[:2]), int(span[3:5])), zone)
        end_hour, end_minute = int(span[6:8]), int(span[9:11])
        if end_hour == 24:  # "24:00": the end of the day
            end = datetime.combine(local_day + timedelta(days=1), time(0, 0), zone)
        else:
            end = datetime.combine(local_day, time(end_hour, end_minute), zone)
        spans.append((start, end))
    return sorted(spans)


def _days_from(centre: Centre, at: datetime) -> Iterator[list[tuple[datetime, datetime]]]:
    zone = ZoneInfo(centre.timezone or "Europe/Brussels")
    local = at.astimezone(zone)
    for offset in range(LOOKAHEAD_DAYS):
        yield _spans(centre, local + timedelta(days=offset))


def is_open(centre: Centre, at: datetime) -> bool:
    return any(start <= at < end for start, end in _spans(centre, at))


def next_opening(centre: Centre, at: datetime) -> datetime | None:
    """The next moment the team is there (now, if it is); None when the
    centre gives no hours in the coming week."""
    for spans in _days_from(centre, at):
        for start, end in spans:
            if end > at:
                return max(start, at)
    return None


def slots(
    centre: Centre, at: datetime, *, step: timedelta, notice: timedelta, days: int
) -> list[datetime]:
    """Call-back times within the opening hours: every `step` from each span's
    start, at least `notice` from now, over the next `days` days."""
    earliest = at + notice
    found: list[datetime] = []
    for number, spans in enumerate(_days_from(centre, at)):
        if number >= days:
            break
        for start, end in spans:
            moment = start
            while moment + step <= end:
                if moment >= earliest:
                    found.append(moment)
                moment += step
    return found
