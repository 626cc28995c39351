"""A partner member in the joint case file, over HTTP: what they see (exactly
what the basis allows, in the staff print's words), what they do (reports,
notes, answers to a planned consultation), and what the team sees of it
(timeline, "who read what", the audit trail)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.casework import actions, partner_work, safety_plans
from core.model import AuditEvent, Case, CaseAction, Staff
from tests.backoffice.helpers import open_test_case, staff_client
from tests.partner.helpers import partner_client, police_and_school
from web.db import db

BRUSSELS = ZoneInfo("Europe/Brussels")
PLAN = "My sister's flat, two streets away."
STORY = "Mijn verhaal."  # tests.factories.decided_request
PHONE = "0470 12 34 56"


def _text(response) -> str:
    return " ".join("".join(response.page.itertext()).split())


@pytest.fixture
def file(app, make_staff, clock):
    """A file with a safety plan, the police (458ter) and the school (consent:
    the safety plan only), one member each, a police action, a planned
    consultation."""
    director = make_staff("case_director", name="Dana Director")
    now = clock.current
    case_id = open_test_case(app, director[0])
    roof = police_and_school(app, case_id, director[0], now)
    police, inspector, teacher = roof.police, roof.inspector, roof.teacher
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, director[0])
        safety_plans.save(session, case, case.people[0], staff, {"safe_places": PLAN})
        action = actions.add_action(
            session,
            case,
            staff,
            title="Patrol near the house",
            owner=f"partner:{police}",
            due_on=None,
            zone=BRUSSELS,
        )
        today = now.astimezone(BRUSSELS).date()
        planned = partner_work.plan_consultation(
            session,
            case,
            staff,
            planned_on=today + timedelta(days=3),
            legal_basis="art_458ter",
            today=today,
        )
        ids = {"case": case_id, "action": action.id, "planned": planned.id, "number": case.number}
    return {
        "ids": ids,
        "director": director,
        "inspector": inspector,
        "teacher": teacher,
        "page": f"/partner/cases/{case_id}",
        "staff_page": f"/staff/cases/{case_id}",
    }


def test_the_school_sees_the_safety_plan_and_nothing_it_was_not_given(app, file, clock):
    school = partner_client(app, file["teacher"], clock.current)
    page = school.get(file["page"])
    seen = _text(page)
    assert PLAN in seen
    assert STORY not in seen and PHONE not in seen
    assert "Risk assessment" not in [h.text for h in page.page.iter("h2")]
    assert "Patrol near the house" not in seen  # the police's action, not the school's
    assert "Planned case consultations" not in seen  # no action plan in its scope
    left_out = next(p for p in page.page.iter("p") if (p.text or "").startswith("Left out"))
    assert "The story" in "".join(left_out.itertext())


def test_the_police_on_458ter_see_every_part_with_her_rules(app, file, clock):
    police = partner_client(app, file["inspector"], clock.current)
    seen = _text(police.get(file["page"]))
    for expected in (PLAN, STORY, PHONE, "Patrol near the house", "Planned case consultations"):
        assert expected in seen
    assert "Left out: nothing" in seen


def test_every_read_is_on_the_timeline_in_the_audit_trail_and_in_who_read_what(app, file, clock):
    school = partner_client(app, file["teacher"], clock.current)
    school.get(file["page"])
    clock.advance(minutes=5)
    printed = school.get(f"{file['page']}/print?download=1")
    assert printed.headers["Content-Disposition"].startswith("attachment;")
    assert "Confidential" in _text(printed) and PLAN in _text(printed)
    team = staff_client(app, file["director"])
    case_page = team.get(file["staff_page"])
    reads = next(t for t in case_page.page.iter("table") if "who saw my file" in _text_of(t))
    rows = [
        " ".join(_text_of(cell) for cell in tr if cell.tag in ("td", "th"))
        for tr in reads.iter("tr")
    ][1:]
    assert rows == [f"De Klimop Safety plan (also printed) {_short(clock.current)}"]
    timeline = _text(case_page)
    assert "A partner read the file: Safety plan" in timeline
    assert "A partner printed the file: Safety plan" in timeline
    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.actor_id == file["teacher"].id, AuditEvent.action == "partner.viewed"
            )
        ).all()
    assert audited and all(d.endswith("parts safety_plan") for d in audited)


def _text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _short(moment) -> str:
    # The "short" date and time in English, in the centre's zone.
    local = moment.astimezone(BRUSSELS)
    return f"{local.month}/{local.day}/{local.strftime('%y')}, {local.strftime('%-I:%M %p')}"


def test_the_police_report_on_their_action_reaches_the_case_director(app, file, clock):
    police = partner_client(app, file["inspector"], clock.current)
    url = f"{file['page']}/actions/{file['ids']['action']}"
    sent = police.submit(
        url, {"status": "done", "report": "Patrolled twice a night."}, form_page=file["page"]
    )
    assert sent.status_code == 303
    with app.app_context():
        action = db.session.get(CaseAction, file["ids"]["action"])
        assert (action.status, action.report, action.reported_by_id) == (
            "done",
            "Patrolled twice a night.",
            file["inspector"].id,
        )
        assert action.done_at == clock.current
    team = staff_client(app, file["director"])
    page = _text(team.get(file["staff_page"]))
    assert "Report from a partner on an action: Patrolled twice a night." in page
    assert "Action changed: Open → Done" in page


def test_a_report_too_long_is_refused_and_what_was_typed_stays(app, file, clock):
    police = partner_client(app, file["inspector"], clock.current)
    url = f"{file['page']}/actions/{file['ids']['action']}"
    typed = "Long. " * 500
    refused = police.submit(url, {"status": "in_progress", "report": typed}, form_page=file["page"])
    assert refused.status_code == 200
    box = refused.page.find(f".//textarea[@id='action-{file['ids']['action']}-report']")
    assert box.text.strip() == typed.strip()
    assert "Please keep this shorter." in _text(refused)
    with app.app_context():
        assert db.session.get(CaseAction, file["ids"]["action"]).status == "open"
    assert police.post(url, data={"status": "sold"}).status_code in (400,)


def test_a_note_reaches_the_timeline_but_never_another_partner(app, file, clock):
    school = partner_client(app, file["teacher"], clock.current)
    empty = school.submit(f"{file['page']}/notes", {"note": "  "}, form_page=file["page"])
    assert empty.status_code == 200 and "Type your note." in _text(empty)
    sent = school.submit(
        f"{file['page']}/notes", {"note": "Lina was tired all week."}, form_page=file["page"]
    )
    assert sent.status_code == 303
    assert "Lina was tired all week." in _text(school.get(file["page"]))
    police = partner_client(app, file["inspector"], clock.current)
    assert "Lina was tired all week." not in _text(police.get(file["page"]))
    team = staff_client(app, file["director"])
    assert "Note from a partner: Lina was tired all week." in _text(team.get(file["staff_page"]))


def test_the_police_answer_the_planned_consultation_and_the_team_sees_it(app, file, clock):
    police = partner_client(app, file["inspector"], clock.current)
    url = f"{file['page']}/consultations/{file['ids']['planned']}"
    unanswered = police.submit(
        url, {"contribution": "Two call-outs in November."}, form_page=file["page"]
    )
    assert unanswered.status_code == 200
    assert "Say whether your organisation takes part." in _text(unanswered)
    kept = unanswered.page.find(f".//textarea[@id='planned-{file['ids']['planned']}-contribution']")
    assert kept.text.strip() == "Two call-outs in November."
    answered = police.submit(
        url, {"attending": "yes", "contribution": "Two call-outs."}, form_page=file["page"]
    )
    assert answered.status_code == 303
    team = staff_client(app, file["director"])
    page = _text(team.get(file["staff_page"]))
    assert "Ines Inspector: takes part" in page and "Two call-outs." in page
    # A second answer replaces the first.
    police.submit(url, {"attending": "no", "contribution": ""}, form_page=file["page"])
    assert "Ines Inspector: cannot take part" in _text(team.get(file["staff_page"]))


def test_the_partner_face_speaks_dutch_and_french(app, file, clock):
    school = partner_client(app, file["teacher"], clock.current)
    for language, title in (("nl", "Mijn dossiers"), ("fr", "Mes dossiers")):
        switched = school.submit(
            "/partner/language",
            {"language": language, "next": "/partner/"},
            form_page="/partner/",
        )
        assert switched.status_code == 303 and switched.headers["Location"] == "/partner/"
        home = school.get("/partner/")
        assert home.page.get("lang") == language
        assert home.page.find(".//h1").text == title
