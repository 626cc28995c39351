"""What Talk now leaves in the rest of the back office: a booked call-back in
the queue at its time (on top once due) and on the talk page, a message or
call-back request that says how it came, and the figures."""

from __future__ import annotations

from datetime import timedelta

from core.intake.intakes import SafeContact, Submission, submit
from core.model import IntakeKind
from core.network.centres import default_centre
from core.talk import left_behind
from tests.backoffice.talk_helpers import OPEN_TUESDAY, by_id, member, text_of
from tests.core.reporting.test_talk_figures import build_talk_month
from web.db import db


def _book(app, clock) -> tuple[int, object]:
    """She booked a call-back at the first slot offered (half an hour ahead
    at least); a more urgent request (danger now) came in before."""
    clock.current = OPEN_TUESDAY
    with app.app_context(), db.writing() as session:
        centre = default_centre(session)
        submit(
            session,
            Submission(
                kind=IntakeKind.CONTACT,
                language="nl",
                contact=SafeContact(name="Urgent", phone="0470 00 00 01", may_call=True),
                danger_now=True,
                story="Nu.",
            ),
        )
        slot = left_behind.callback_slots(centre)[0]
        intake, _code = left_behind.book_call_back(
            session,
            centre,
            "fr",
            left_behind.CallBack(phone="0470 12 34 56", slot=slot, message="Après 14 h."),
        )
        return intake.id, slot


def _queue_rows(client) -> list[list[str]]:
    page = client.get("/staff/").page
    table = next(t for t in page.iter("table") if t.get("class") == "queue")
    return [[text_of(td) for td in tr.findall("td")] for tr in table.iter("tr") if tr.findall("td")]


def test_a_booked_call_back_shows_its_time_and_comes_on_top_when_due(app, make_staff, clock):
    intake_id, slot = _book(app, clock)
    _, client = member(app, make_staff, role="coordinator")
    rows = _queue_rows(client)
    assert rows[1][0] == f"#{intake_id}", "before its time, the most urgent comes first"
    assert "Call back at Jan 8, 2030" in rows[1][1]
    assert "due now" not in rows[1][1]

    clock.current = slot - timedelta(minutes=10)
    rows = _queue_rows(client)
    assert rows[0][0] == f"#{intake_id}"
    assert "due now" in rows[0][1]
    assert rows[0][3] == "Conversation"

    talk = by_id(client.get("/staff/talk").page, "talk-board")
    callbacks = next(
        s for s in talk.iter("section") if s.get("aria-labelledby") == "callbacks-title"
    )
    assert f"Request #{intake_id}: call back at" in text_of(callbacks)


def test_a_call_back_request_says_how_it_came_and_what_she_wrote(app, make_staff, clock):
    intake_id, _slot = _book(app, clock)
    _, client = member(app, make_staff)
    page = client.get(f"/staff/intakes/{intake_id}").page
    main = text_of(by_id(page, "main"))
    assert "A call-back booked when nobody was there to talk: call back at Jan 8, 2030" in main
    assert "Après 14 h." in main
    assert by_id(page, "talk-title") is not None


def test_the_figures_count_conversations_missed_and_the_median_wait(app, make_staff, clock):
    build_talk_month(app, clock)
    period = "?from=2030-01&to=2030-01"
    coordinator = member(app, make_staff, role="coordinator")[1]
    director = member(app, make_staff, role="case_director")[1]

    def talk_rows(client) -> tuple[list[list[str]], str, str, list[list[str]]]:
        page = client.get("/staff/stats" + period).page
        rows = [
            [text_of(cell) for cell in tr if cell.tag in ("th", "td")]
            for tr in by_id(page, "table-talk").iter("tr")
        ][1:]
        left = [
            [text_of(cell) for cell in tr if cell.tag in ("th", "td")]
            for tr in by_id(page, "table-talk-left").iter("tr")
        ][1:]
        return rows, text_of(by_id(page, "talk-wait")), text_of(by_id(page, "talk-blocked")), left

    rows, wait, blocked, left = talk_rows(coordinator)
    assert rows == [
        ["Taken by the team", "6"],
        ["Missed: ended before anyone took them", "2"],
        ["Still open", "1"],
        ["Conversations", "9"],
    ]
    assert wait.endswith(": 3.5")
    assert blocked.endswith(": 1")
    assert left == [["A message", "2"], ["A call-back booked", "1"], ["Total", "3"]]

    rows, wait, blocked, left = talk_rows(director)
    assert [row[1] for row in rows] == ["6", "<5", "<5", "9"]
    assert wait.endswith(": 3.5")
    assert blocked.endswith(": <5")
    assert [row[1] for row in left] == ["<5", "<5", "<5"]
