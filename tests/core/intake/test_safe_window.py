from datetime import UTC, datetime

import pytest

from core.intake.safe_window import (
    Channel,
    SafeTimes,
    channel_allowed,
    is_safe_now,
    next_safe_start,
)
from core.model import Intake

BRUSSELS = "Europe/Brussels"
# Monday 30 November 2026; Brussels is UTC+1 in winter, UTC+2 in summer.
MONDAY_0930_LOCAL = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def test_nothing_said_means_any_time():
    assert is_safe_now(SafeTimes.from_codes(None, None), MONDAY_0930_LOCAL, BRUSSELS)


@pytest.mark.parametrize(
    ("days", "times", "expected"),
    [
        ("mon", "morning", True),
        ("tue", "morning", False),
        ("mon", "afternoon", False),
        ("mon,tue", "", True),
        ("", "morning,evening", True),
        ("", "afternoon", False),
    ],
)
def test_safe_days_and_times_are_read_in_the_centres_time(days, times, expected):
    safe = SafeTimes.from_codes(days, times)
    assert is_safe_now(safe, MONDAY_0930_LOCAL, BRUSSELS) is expected


def test_the_server_clock_does_not_matter_only_the_centres_time_zone():
    # 08:30 UTC is 09:30 in Brussels (morning) but 03:30 in New York (night).
    safe = SafeTimes.from_codes("mon", "morning")
    assert is_safe_now(safe, MONDAY_0930_LOCAL, BRUSSELS)
    assert not is_safe_now(safe, MONDAY_0930_LOCAL, "America/New_York")


def test_summer_time_moves_the_window_in_utc():
    safe = SafeTimes.from_codes("", "morning")
    summer_0830_utc = datetime(2026, 7, 6, 8, 30, tzinfo=UTC)  # 10:30 in Brussels
    summer_0630_utc = datetime(2026, 7, 6, 6, 30, tzinfo=UTC)  # 08:30 in Brussels
    assert is_safe_now(safe, summer_0830_utc, BRUSSELS)
    assert not is_safe_now(safe, summer_0630_utc, BRUSSELS)


def test_a_window_ends_at_its_end():
    safe = SafeTimes.from_codes("", "morning")
    noon = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # 12:00 in Brussels
    assert not is_safe_now(safe, noon, BRUSSELS)


def test_the_next_safe_window_can_be_days_away():
    safe = SafeTimes.from_codes("thu", "evening")
    start = next_safe_start(safe, MONDAY_0930_LOCAL, BRUSSELS)
    assert (start.weekday(), start.hour, start.minute) == (3, 17, 0)
    assert start.utcoffset().total_seconds() == 3600
    assert (
        next_safe_start(SafeTimes.from_codes("mon", "morning"), MONDAY_0930_LOCAL, BRUSSELS) is None
    )


def test_the_next_window_later_the_same_day():
    safe = SafeTimes.from_codes("", "afternoon,evening")
    start = next_safe_start(safe, MONDAY_0930_LOCAL, BRUSSELS)
    assert (start.day, start.hour) == (30, 12)


def test_only_channels_the_person_allowed_are_allowed():
    intake = Intake(phone="0470 12 34 56", may_call=True, may_text=False, may_voicemail=None)
    assert channel_allowed(intake, Channel.CALL)
    assert not channel_allowed(intake, Channel.TEXT)
    assert not channel_allowed(intake, Channel.VOICEMAIL), "not said is not allowed"
    assert not channel_allowed(intake, Channel.EMAIL), "no address given"
    assert channel_allowed(intake, Channel.PORTAL)
    no_phone = Intake(phone=None, may_call=True)
    assert not channel_allowed(no_phone, Channel.CALL)
