"""Staff dates are short and in the centre's time zone: the reader's medium date
with a short time, no seconds, no zone name."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from core.model import Centre, Staff
from core.network.centres import default_centre
from tests.factories import decided_request
from web import i18n
from web.db import db

# 9:00 in Brussels (UTC+1 in winter).
DECEMBER_MORNING = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
# CLDR puts a narrow no-break space between the English time and AM/PM.
NNBSP = "\u202f"


def _render(app, source: str, language: str = "en", **values) -> str:
    with app.test_request_context("/staff/", headers={"Accept-Language": language}):
        return app.jinja_env.from_string(source).render(**values)


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def test_a_request_page_shows_when_it_came_in_short_and_in_the_centres_time(
    app, client, signed_in, clock
):
    clock.current = DECEMBER_MORNING
    staff_id = signed_in("coordinator")
    with app.app_context(), db.writing() as session:
        intake_id = decided_request(session, session.get(Staff, staff_id)).id
    page = client.get(f"/staff/intakes/{intake_id}")
    assert page.status_code == 200
    terms = [_text(dt) for dt in page.page.iter("dt")]
    received = _text(list(page.page.iter("dd"))[terms.index("Received")])
    assert received == f"Dec 2, 2026, 9:00{NNBSP}AM"
    body = page.get_data(as_text=True)
    assert "Central European" not in body
    assert "9:00:00" not in body
    assert "Wednesday" not in body


def test_a_dutch_reader_sees_the_dutch_short_form(app, client, signed_in, clock):
    clock.current = DECEMBER_MORNING
    staff_id = signed_in("coordinator")
    with app.app_context(), db.writing() as session:
        intake_id = decided_request(session, session.get(Staff, staff_id)).id
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    page = client.get(f"/staff/intakes/{intake_id}")
    assert page.page.get("lang") == "nl"
    assert "2 dec 2026, 09:00" in [_text(dd) for dd in page.page.iter("dd")]
    assert "09:00:00" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "medium", "short"),
    [
        ("en", f"Dec 2, 2026, 9:00{NNBSP}AM", f"12/2/26, 9:00{NNBSP}AM"),
        ("nl", "2 dec 2026, 09:00", "02-12-2026, 09:00"),
    ],
)
def test_the_filter_shows_utc_times_in_brussels_time_in_the_readers_language(
    app, language, medium, short
):
    source = "{{ when | datetimeformat('medium') }}|{{ when | datetimeformat('short') }}"
    assert _render(app, source, language, when=DECEMBER_MORNING) == f"{medium}|{short}"


def test_summer_time_is_the_centres_summer_time(app):
    july_morning = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert _render(app, "{{ t | datetimeformat }}", "nl", t=july_morning) == "1 jul 2026, 10:00"


@pytest.fixture
def centre_in_new_york(app) -> Iterator[None]:
    with app.app_context(), db.writing() as session:
        centre = default_centre(session)
        before, centre.timezone = centre.timezone, "America/New_York"
    yield
    with app.app_context(), db.writing() as session:
        centre = default_centre(session)
        centre.timezone = before


def test_the_zone_is_the_one_the_centre_names(app, centre_in_new_york):
    rendered = _render(app, "{{ t | datetimeformat('medium') }}", t=DECEMBER_MORNING)
    assert rendered == f"Dec 2, 2026, 3:00{NNBSP}AM"


def test_the_centre_is_read_once_however_many_dates_a_page_shows(app):
    statements = []
    engine = app.extensions["fjc_db"].engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        rendered = _render(
            app,
            "{% for t in times %}{{ t | datetimeformat }};{% endfor %}",
            times=[DECEMBER_MORNING] * 5,
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert rendered.count("Dec 2, 2026") == 5
    assert len([s for s in statements if Centre.__tablename__ in s]) == 1


@pytest.mark.parametrize("length", ["long", "full"])
def test_the_long_forms_are_refused(app, length):
    with pytest.raises(ValueError, match="short or medium"):
        _render(app, "{{ t | datetimeformat(length) }}", t=DECEMBER_MORNING, length=length)
    with pytest.raises(ValueError, match="short or medium"):
        _render(app, "{{ t | dateformat(length) }}", t=DECEMBER_MORNING, length=length)


def test_dateformat_gives_the_medium_date_a_datetime_on_the_centres_calendar(app):
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 00:30 on the 2nd in Brussels
    source = "{{ due | dateformat('medium') }}|{{ at | dateformat('medium') }}"
    assert _render(app, source, "en", due=date(2026, 12, 1), at=late_evening) == (
        "Dec 1, 2026|Dec 2, 2026"
    )
    assert _render(app, source, "nl", due=date(2026, 12, 1), at=late_evening) == (
        "1 dec 2026|2 dec 2026"
    )


def test_a_naive_datetime_counts_as_utc(app):
    naive = DECEMBER_MORNING.replace(tzinfo=None)
    assert _render(app, "{{ t | datetimeformat }}", "nl", t=naive) == "2 dec 2026, 09:00"


def test_without_a_centre_the_default_zone_is_brussels(app, monkeypatch):
    def no_centre(_session):
        raise i18n.CentreMissing("no centre")

    monkeypatch.setattr(i18n, "default_centre", no_centre)
    assert _render(app, "{{ t | datetimeformat }}", "nl", t=DECEMBER_MORNING) == (
        "2 dec 2026, 09:00"
    )
