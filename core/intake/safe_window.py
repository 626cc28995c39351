"""Is it safe to contact this person now, and in this way?

A person says on which days and in which parts of the day contact is safe, and
which channels may be used. Times are the centre's local time (a person in
Mechelen thinks in Belgian time, whatever the server's clock says).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.intake.intakes import DAYS, TIMES

# The parts of the day the portal offers, as [start, end) in local time.
TIME_WINDOWS: dict[str, tuple[time, time]] = {
    "morning": (time(9), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(20)),
}
assert tuple(TIME_WINDOWS) == TIMES


class Channel(StrEnum):
    CALL = "call"
    TEXT = "text"
    VOICEMAIL = "voicemail"
    EMAIL = "email"
    PORTAL = "portal"
    # Through the professional who referred the person (door 3).
    REFERRER = "referrer"
    # Through the adult or school contact a young person named (their door).
    TRUSTED_ADULT = "trusted_adult"


# The ways that reach the person where she is, at a moment we choose: her safe
# times apply to them. A portal reply waits until she comes back herself; the
# referrer is a professional, not the person.
TIMED_CHANNELS = frozenset({Channel.CALL, Channel.TEXT, Channel.VOICEMAIL, Channel.EMAIL})


@dataclass(frozen=True)
class SafeTimes:
    days: tuple[str, ...]
    times: tuple[str, ...]

    @classmethod
    def from_codes(cls, days: str | None, times: str | None) -> SafeTimes:
        return cls(
            days=tuple(code for code in (days or "").split(",") if code in DAYS),
            times=tuple(code for code in (times or "").split(",") if code in TIMES),
        )

    @property
    def any_time(self) -> bool:
        return not self.days and not self.times


def _day_ok(safe: SafeTimes, local: datetime) -> bool:
    return not safe.days or DAYS[local.weekday()] in safe.days


def _time_ok(safe: SafeTimes, local: datetime) -> bool:
    if not safe.times:
        return True
    clock = local.time()
    return any(TIME_WINDOWS[code][0] <= clock < TIME_WINDOWS[code][1] for code in safe.times)


def is_safe_now(safe: SafeTimes, now: datetime, timezone: str) -> bool:
    """True when `now` (aware) falls on a safe day and in a safe part of the day.
    Nothing said about days or times means the person did not limit them."""
    local = now.astimezone(ZoneInfo(timezone))
    return _day_ok(safe, local) and _time_ok(safe, local)


def next_safe_start(safe: SafeTimes, now: datetime, timezone: str) -> datetime | None:
    """The start of the next safe window after `now`, in the centre's time zone;
    None when it is safe now (or no window exists in the coming week)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    if is_safe_now(safe, now, timezone):
        return None
    # Without chosen parts of the day, a safe day is safe from its start.
    starts = [TIME_WINDOWS[code][0] for code in safe.times] if safe.times else [time(0)]
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        if safe.days and DAYS[day.weekday()] not in safe.days:
            continue
        for start in sorted(starts):
            candidate = datetime.combine(day, start, tzinfo=zone)
            if candidate > local:
                return candidate
    return None


def channel_available(intake, channel: Channel) -> bool:
    """Whether the request holds what the channel needs at all: an anonymous
    question has only the portal; a call needs a number; the referrer a referral."""
    if channel == Channel.PORTAL:
        return True
    if intake.kind == "question":
        return False
    if channel == Channel.REFERRER:
        return intake.referral is not None
    if channel == Channel.TRUSTED_ADULT:
        return bool(intake.trusted_adult)
    if channel == Channel.EMAIL:
        return bool(intake.email)
    return bool(intake.phone)


def channel_allowed(intake, channel: Channel) -> bool:
    """Only what the person explicitly allowed; "not said" is not allowed."""
    if not channel_available(intake, channel):
        return False
    if channel in (Channel.PORTAL, Channel.REFERRER, Channel.TRUSTED_ADULT, Channel.EMAIL):
        return True
    allowed = {
        Channel.CALL: intake.may_call,
        Channel.TEXT: intake.may_text,
        Channel.VOICEMAIL: intake.may_voicemail,
    }
    return allowed[channel] is True
