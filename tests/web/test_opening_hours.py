"""When the team is there: days in a row with the same hours told once,
weekday names, times and ranges in the page's language (CLDR, through Babel)."""

from __future__ import annotations

import pytest
from babel import Locale
from flask import Flask
from flask_babel import Babel, force_locale

from core.infra.config import DEFAULT_LANGUAGES
from web.opening_hours import TeamHours, team_hours

WORKING_WEEK = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
# CLDR writes ranges with thin spaces around the dash in most languages, and
# puts a narrow no-break space between the English time and AM/PM.
THIN, NNBSP = "\u2009", "\u202f"


@pytest.fixture(scope="module")
def babel_app():
    app = Flask(__name__)
    Babel(app)
    return app


def _lines(app, hours, language: str = "en") -> list[tuple[str, str]]:
    with app.test_request_context(), force_locale(language):
        return [(line.days, line.hours) for line in team_hours(hours)]


def test_a_working_week_is_one_line(babel_app):
    assert _lines(babel_app, WORKING_WEEK) == [
        (f"Monday{THIN}–{THIN}Friday", f"9:00{NNBSP}AM{THIN}–{THIN}5:00{NNBSP}PM")
    ]


def test_a_different_day_splits_the_week_and_two_days_are_named_both(babel_app):
    hours = {**WORKING_WEEK, "wed": ["09:00-12:00"]}
    assert _lines(babel_app, hours, "nl") == [
        ("maandag en dinsdag", f"09:00{THIN}–{THIN}17:00"),
        ("woensdag", f"09:00{THIN}–{THIN}12:00"),
        ("donderdag en vrijdag", f"09:00{THIN}–{THIN}17:00"),
    ]


def test_a_day_off_breaks_a_run_even_with_the_same_hours(babel_app):
    hours = {"mon": ["09:00-17:00"], "wed": ["09:00-17:00"], "thu": ["09:00-17:00"]}
    assert [days for days, _ in _lines(babel_app, hours, "nl")] == [
        "maandag",
        "woensdag en donderdag",
    ]


def test_two_spans_in_a_day_are_joined_the_way_the_language_joins(babel_app):
    hours = {"sat": ["13:00-17:00", "08:30-12:30"]}
    assert _lines(babel_app, hours, "fr") == [
        ("samedi", f"08:30{THIN}–{THIN}12:30 et 13:00{THIN}–{THIN}17:00")
    ]


def test_the_end_of_the_day_is_midnight(babel_app):
    assert _lines(babel_app, {"sun": ["18:00-24:00"]}, "de") == [
        ("Sonntag", f"18:00{THIN}–{THIN}00:00")
    ]


@pytest.mark.parametrize("hours", [None, {}, {"mon": []}])
def test_no_hours_say_nothing(babel_app, hours):
    assert _lines(babel_app, hours) == []


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_every_portal_language_has_its_own_weekday_names_and_ranges(babel_app, language):
    (line,) = _lines(babel_app, WORKING_WEEK, language)
    names = Locale.parse(language).days["format"]["wide"]
    assert line[0].startswith(names[0]) and line[0].endswith(names[4]), (language, line)
    if language != "en":
        assert "Monday" not in line[0] and "AM" not in line[1], (language, line)


def test_persian_writes_its_ranges_with_its_own_word(babel_app):
    days, hours = _lines(babel_app, WORKING_WEEK, "fa")[0]
    assert days == "دوشنبه تا جمعه"
    assert "تا" in hours and "–" not in hours


def test_arabic_joins_two_days_with_its_own_and(babel_app):
    ((days, _),) = _lines(babel_app, {"mon": ["09:00-12:00"], "tue": ["09:00-12:00"]}, "ar")
    names = Locale.parse("ar").days["format"]["wide"]
    assert days == f"{names[0]} و{names[1]}"


def test_a_line_holds_the_days_and_their_hours_apart(babel_app):
    with babel_app.test_request_context(), force_locale("en"):
        (line,) = team_hours({"mon": ["09:00-12:00"]})
    assert line == TeamHours(days="Monday", hours=f"9:00{NNBSP}AM{THIN}–{THIN}12:00{NNBSP}PM")
