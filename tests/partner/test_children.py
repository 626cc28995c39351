"""What partners see of a child in the file: the child's own safety plan goes
with "safety plan", what the child says and wishes with "the story". So the
school, with consent for the safety plan only, sees the child's plan and not
the child's words; the police on a 458ter consultation see both."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.casework import child_voice, people, safety_plans
from core.model import Case, Staff
from tests.backoffice.helpers import open_test_case
from tests.partner.helpers import partner_client, police_and_school
from web.db import db

SAID = "Ik wil bij mama blijven. Ik ben bang als papa roept."
HEARD_BY = "Ann, case director"
CODE_WORD = "Pannenkoek"


def _text(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _headings(page) -> list[str]:
    return [_text(h) for h in page.iter("h2")]


def _plan_block(page):
    """The child's plan in the file's safety plans, as a list of its parts."""
    return next(
        div
        for div in page.iter("div")
        if div.get("class") == "print-block" and CODE_WORD in _text(div)
    )


@pytest.fixture
def file(app, make_staff, clock):
    director = make_staff("case_director", name="Dana Director")
    now = clock.current
    case_id = open_test_case(app, director[0])
    roof = police_and_school(app, case_id, director[0], now)
    inspector, teacher = roof.inspector, roof.teacher
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        staff = session.get(Staff, director[0])
        child, _ = people.add_person(
            session, case, staff, people.PersonDetails(role="child", name="Noor"), now.year
        )
        safety_plans.save(
            session,
            case,
            child,
            staff,
            {"who_i_call": "Oma Rita", "code_word": CODE_WORD, "trusted_adult": "Juf Els"},
        )
        child_voice.record_voice(
            session,
            case,
            child,
            staff,
            heard_on=now.date() - timedelta(days=2),
            heard_by=HEARD_BY,
            said=SAID,
            today=now.date(),
        )
    return {"page": f"/partner/cases/{case_id}", "teacher": teacher, "inspector": inspector}


def test_the_school_sees_the_childs_plan_but_not_the_childs_words(app, file, clock):
    school = partner_client(app, file["teacher"], clock.current)
    for path in (file["page"], f"{file['page']}/print"):
        page = school.get(path).page
        block = _plan_block(page)
        assert [_text(dt) for dt in block.iter("dt")] == [
            "Who I call",
            "My code word",
            "My trusted adult",
        ]
        seen = _text(page)
        assert SAID not in seen and HEARD_BY not in seen
        assert "What the children say and wish" not in _headings(page)


def test_the_police_on_458ter_see_the_childs_plan_and_words(app, file, clock):
    police = partner_client(app, file["inspector"], clock.current)
    for path in (file["page"], f"{file['page']}/print"):
        page = police.get(path).page
        assert CODE_WORD in _text(_plan_block(page))
        assert "What the children say and wish" in _headings(page)
        section = next(
            s for s in page.iter("section") if s.get("aria-labelledby") == "print-voices"
        )
        words = _text(section)
        assert "Child: Noor" in words and SAID in words and HEARD_BY in words
