"""Talk now in figures: a known month of conversations, each figure exact,
then with small counts suppressed as every figure is."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.identity.staff import create_staff
from core.model import EndReason
from core.network.centres import default_centre
from core.reporting import stats, talk_figures
from core.talk import conversations, left_behind
from tests.conftest import TEST_PASSWORD
from web.db import db

ZONE = ZoneInfo("Europe/Brussels")
# Tuesday 8 January 2030, 10:00 in Mechelen: the team is there.
START = datetime(2030, 1, 8, 10, 0, tzinfo=ZONE)
JANUARY = stats.Period(stats.Month(2030, 1), stats.Month(2030, 1))
# Minutes each taken conversation waited; the last one is then blocked.
WAITS = (1, 2, 3, 4, 5, 6)


def build_talk_month(app, clock) -> None:
    """January 2030: 6 taken (waits 1-6 min, one blocked), 2 missed (she
    left, she used the quick exit), 1 still waiting; 2 messages and 1
    call-back left; and one conversation in February, outside the period."""
    clock.current = START
    with app.app_context(), db.writing() as session:
        centre = default_centre(session)
        staff = create_staff(
            session, email="figures@fjc.example", name="F", role="coordinator",
            password=TEST_PASSWORD,
        )  # fmt: skip

        def start() -> int:
            return conversations.start(session, centre_id=centre.id, language="nl").conversation.id

        for number, wait in enumerate(WAITS):
            conversation_id = start()
            clock.advance(minutes=wait)
            conversations.take(session, conversation_id, staff)
            reason = EndReason.BLOCKED if number == len(WAITS) - 1 else EndReason.BY_STAFF
            conversations.end(session, conversation_id, reason, staff=staff)
        left = start()
        # Her page gone for longer than a waiting page may be quiet.
        clock.advance(minutes=11)
        conversations.end(session, left, EndReason.LEFT)
        conversations.end(session, start(), EndReason.QUICK_EXIT)
        start()  # still waiting
        for text in ("Bel me niet.", "Ik schrijf later."):
            left_behind.leave_message(session, centre, "nl", text)
        slot = left_behind.callback_slots(centre)[0]
        left_behind.book_call_back(
            session, centre, "nl", left_behind.CallBack(phone="0470 12 34 56", slot=slot)
        )
        clock.current = datetime(2030, 2, 5, 10, 0, tzinfo=ZONE)
        february = start()
        clock.advance(minutes=11)
        conversations.end(session, february, EndReason.LEFT)
    clock.current = datetime(2030, 2, 5, 12, 0, tzinfo=ZONE)


def _figures(app) -> talk_figures.TalkFigures:
    with app.app_context():
        session = db.session
        return talk_figures.compute(
            session, JANUARY, zone=ZONE, centre_id=default_centre(session).id
        )


def _column(table: stats.Table, threshold: int = 5) -> dict[str, str]:
    return {row: table.text(row, stats.COUNT, threshold) for row in table.all_rows}


def test_the_month_in_figures_exactly(app, clock):
    build_talk_month(app, clock)
    figures = _figures(app)
    assert _column(figures.conversations) == {
        "taken": "6",
        "missed": "2",
        "open": "1",
        "total": "9",
    }
    assert _column(figures.left_behind) == {"message": "2", "callback": "1", "total": "3"}
    assert _column(figures.blocked) == {"blocked": "1"}
    # Waits of 1 to 6 minutes: the median is between 3 and 4.
    assert figures.waits.median() == 210


def test_small_counts_are_hidden_and_the_sum_gives_none_away(app, clock):
    build_talk_month(app, clock)
    figures = _figures(app).suppressed(5)
    # Missed and open are small; together with the total they stay two unknowns.
    assert _column(figures.conversations) == {
        "taken": "6",
        "missed": "<5",
        "open": "<5",
        "total": "9",
    }
    assert _column(figures.left_behind) == {"message": "<5", "callback": "<5", "total": "<5"}
    assert _column(figures.blocked) == {"blocked": "<5"}
    assert figures.waits.median() == 210, "six waits are enough for a median"
    assert _figures(app).suppressed(7).waits.median() is None


def test_the_export_lines_are_suppressed_codes(app, clock):
    build_talk_month(app, clock)
    rows = talk_figures.csv_rows(_figures(app).suppressed(5), 5, JANUARY.label)
    assert ("talk_conversations", "2030-01/2030-01", "missed", "<5") in rows
    assert ("talk_conversations", "2030-01/2030-01", "total", "9") in rows
    assert ("talk_left_behind", "2030-01/2030-01", "message", "<5") in rows
    assert ("talk_wait", "2030-01/2030-01", "median_minutes", "3.5") in rows


def test_an_empty_period_counts_nothing(app, clock):
    clock.current = START + timedelta(days=400)
    figures = _figures(app)
    assert _column(figures.conversations)["total"] == "0"
    assert figures.waits.median() is None
