"""The survivor's voice: after a decision and after her file closed, the
mailbox invites her to say how it was. What she answers cannot be joined back
to her request, her file or the staff."""

import re
from datetime import UTC, datetime

from sqlalchemy import Date, DateTime, inspect, select

from core.casework.feedback import AFTER_CLOSURE, AFTER_TRIAGE
from core.governance.retention import purge
from core.model import Case, Feedback, Intake
from tests.backoffice.helpers import staff_client
from web.db import db

CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
INVITED = "How was our help?"


def _ask(client, door="contact", data=None) -> str:
    data = data or {"email": "p@example.be", "story": "Help"}
    if door == "question":
        data = {"question": "Is this violence?"}
    sent = client.submit(f"/en/{door}", data)
    return CODE.findall(sent.get_data(as_text=True))[0]


def _open(client, code) -> str:
    """Her mailbox: opened with the code, unless this session has it open."""
    page = client.get("/en/return")
    if any(form.get("action") == "/en/return" for form in page.page.iter("form")):
        assert client.submit("/en/return", {"code": code}).status_code == 303
        page = client.get("/en/return")
    return page.get_data(as_text=True)


def _decide(app, team, outcome, **extra) -> int:
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id).order_by(Intake.id.desc()))
    page = f"/staff/intakes/{intake_id}"
    decided = team.submit(
        f"{page}/decision", {"decision-outcome": outcome, **extra}, form_page=page
    )
    assert decided.status_code == 303
    return intake_id


def test_after_a_decision_she_is_invited_once_and_her_answers_are_unlinked(
    app, client, make_staff, clock
):
    clock.current = NOW
    code = _ask(client)
    assert INVITED not in _open(client, code)  # nothing decided yet
    team = staff_client(app, make_staff("coordinator"))
    intake_id = _decide(app, team, "track_1", **{"decision-referred_to": "CAW"})
    mailbox = _open(client, code)
    assert INVITED in mailbox
    form = client.get("/en/return/feedback").page
    names = {el.get("name") for el in form.iter("input")} - {"csrf_token"}
    assert names == {"felt_safe", "told_again", "listened_to", "got_help", "tell_a_friend"}
    offered = [el.get("value") for el in form.iter("input") if el.get("name") == "told_again"]
    assert offered == ["no", "once", "several_times", "no_answer"]

    sent = client.submit(
        "/en/return/feedback",
        {
            "felt_safe": "yes",
            "told_again": "once",
            "tell_a_friend": "no_answer",
            "free_text": "The chat would help.",
        },
    )
    assert sent.status_code == 303
    after = client.get("/en/return").get_data(as_text=True)
    assert "They are not linked to your request." in after and INVITED not in after
    # Asked once per moment: the questions are not offered again.
    assert client.get("/en/return/feedback").status_code == 303
    with app.app_context():
        [row] = db.session.scalars(select(Feedback)).all()
        intake = db.session.get(Intake, intake_id)
        assert intake.feedback_after_triage is True
        assert (row.month, row.moment, row.door, row.track) == (
            "2026-11",
            AFTER_TRIAGE,
            "contact",
            "track_1",
        )
        assert (row.felt_safe, row.told_again, row.listened_to, row.tell_a_friend) == (
            "yes",
            "once",
            None,
            "no_answer",
        )
        assert row.free_text == "The chat would help."


def test_no_thank_you_stores_nothing_and_asks_no_more(app, client, make_staff, clock):
    clock.current = NOW
    code = _ask(client)
    team = staff_client(app, make_staff("coordinator"))
    _decide(app, team, "could_not_reach")
    _open(client, code)
    declined = client.submit("/en/return/feedback/no", {}, form_page="/en/return")
    assert declined.status_code == 303
    assert INVITED not in client.get("/en/return").get_data(as_text=True)
    assert client.get("/en/return/feedback").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Feedback)).all() == []
        assert db.session.scalar(select(Intake.feedback_after_triage)) is True


def test_after_her_file_closes_she_is_asked_again(app, client, make_staff, clock):
    clock.current = NOW
    code = _ask(client)
    team = staff_client(app, make_staff("coordinator"))
    intake_id = _decide(app, team, "track_2")
    _open(client, code)
    client.submit("/en/return/feedback", {"got_help": "partly"})
    page = f"/staff/intakes/{intake_id}"
    case_page = team.submit(f"{page}/case", {}, form_page=page).headers["Location"]
    closed = team.submit(f"{case_page}/close", {"reason": "goals_reached"}, form_page=case_page)
    assert closed.status_code == 303
    assert INVITED in _open(client, code)
    client.submit("/en/return/feedback", {"got_help": "yes"})
    with app.app_context():
        moments = sorted(
            (row.moment, row.track, row.got_help) for row in db.session.scalars(select(Feedback))
        )
        assert db.session.scalars(select(Case)).one().status == "closed"
    assert moments == [(AFTER_CLOSURE, "track_2", "yes"), (AFTER_TRIAGE, "track_2", "partly")]
    assert INVITED not in _open(client, code)  # both moments done


def test_closed_before_she_answered_she_is_asked_once_not_twice(app, client, make_staff, clock):
    clock.current = NOW
    code = _ask(client)
    team = staff_client(app, make_staff("coordinator"))
    intake_id = _decide(app, team, "track_2")
    page = f"/staff/intakes/{intake_id}"
    case_page = team.submit(f"{page}/case", {}, form_page=page).headers["Location"]
    team.submit(f"{case_page}/close", {"reason": "goals_reached"}, form_page=case_page)
    _open(client, code)
    # An empty form is a "no, thank you": nothing stored, and not asked again.
    client.submit("/en/return/feedback", {})
    assert INVITED not in _open(client, code)
    with app.app_context():
        assert db.session.scalars(select(Feedback)).all() == []


def test_no_column_or_query_can_join_an_answer_back_to_its_request(app, client, make_staff, clock):
    """The table names no request, file, staff member or code; it has no time
    finer than the month; its ids follow no order. Two people answering in
    the same month give rows that differ only in what they said."""
    columns = inspect(Feedback).columns
    assert {c.key for c in columns} == {
        "id",
        "centre_id",
        "month",
        "moment",
        "door",
        "track",
        "felt_safe",
        "told_again",
        "listened_to",
        "got_help",
        "tell_a_friend",
        "free_text",
    }
    assert not [c for c in columns if isinstance(c.type, DateTime | Date)]
    foreign = {fk.column.table.name for c in columns for fk in c.foreign_keys}
    assert foreign == {"centres"}

    clock.current = NOW
    team = staff_client(app, make_staff("coordinator"))
    codes = []
    for _person in range(2):
        codes.append(_ask(client))
        _decide(app, team, "track_1", **{"decision-referred_to": "CAW"})
    for code, answer in zip(codes, ("yes", "no"), strict=True):
        client.get("/exit")
        _open(client, code)
        client.submit("/en/return/feedback", {"felt_safe": answer})
        clock.advance(hours=1)
    with app.app_context():
        rows = db.session.scalars(select(Feedback)).all()
        described = {(r.centre_id, r.month, r.moment, r.door, r.track, r.told_again) for r in rows}
        assert len(rows) == 2 and len(described) == 1
        assert all(re.fullmatch(r"[0-9a-f]{32}", r.id) for r in rows)
    # Deleting her request leaves the unlinked feedback.
    client.get("/exit")
    _open(client, codes[0])
    client.submit("/en/return/delete", {}, form_page="/en/return/delete")
    with app.app_context():
        assert len(db.session.scalars(select(Feedback)).all()) == 2
        statuses = db.session.scalars(select(Intake.status)).all()
        assert sorted(statuses) == ["closed", "erased"]


def _feedback_rows(app, count, month="2026-11", text="Thank you."):
    with app.app_context(), db.writing() as session:
        centre = session.scalar(select(Intake.centre_id)) or 1
        for _ in range(count):
            session.add(
                Feedback(
                    centre_id=centre,
                    month=month,
                    moment=AFTER_TRIAGE,
                    door="contact",
                    felt_safe="yes",
                    free_text=text,
                )
            )


def test_figures_show_answers_per_quarter_suppressed_and_texts_to_coordinators_only(
    app, client, make_staff, clock
):
    clock.current = NOW
    _ask(client)  # the centre exists
    _feedback_rows(app, 4, text="It helped.")
    coordinator = staff_client(app, make_staff("coordinator"))
    page = coordinator.get("/staff/stats").page
    table = next(el for el in page.iter("table") if el.get("id") == "table-voice-felt_safe")
    head = ["".join(th.itertext()) for th in table.find("thead").iter("th")]
    assert "Q4 2026" in head
    cells = "".join(table.itertext())
    assert "4" not in cells.replace("Q4", "")  # four answers are a small count, hidden
    body = "".join(page.itertext())
    assert "It helped." not in body and "at least 5" in body

    _feedback_rows(app, 2, text="It helped.")
    body = "".join(coordinator.get("/staff/stats").page.itertext())
    assert body.count("It helped.") == 6
    director = staff_client(app, make_staff("case_director"))
    assert "It helped." not in director.get("/staff/stats").get_data(as_text=True)
    export = coordinator.get("/staff/stats.csv").get_data(as_text=True)
    assert "feedback_felt_safe,2026-Q4,yes,6" in export and "It helped." not in export


def test_feedback_follows_its_own_retention(app, client, clock):
    clock.current = NOW
    _ask(client)
    _feedback_rows(app, 1, month="2021-10")
    _feedback_rows(app, 1, month="2021-11")
    with app.app_context():
        report = purge(db.writing, {**app.config, "FJC_FEEDBACK_RETENTION_MONTHS": 60}, now=NOW)
        assert report.erased["feedback"] == 1
        assert db.session.scalars(select(Feedback.month)).all() == ["2021-11"]
