"""Over HTTP: a red flag answered yes shows "High risk" with its reason, and an
assessment with unknown answers says how many, on the case page and in the print."""

from datetime import timedelta

from sqlalchemy import select

from core.casework import risk
from core.infra import clock
from core.model import Case, RiskAssessment, TriageOutcome
from tests.backoffice.helpers import open_test_case, staff_client
from web.db import db

STRANGULATION = "Red flag: The other person has ever choked or strangled the victim, or tried to."
INCOMPLETE = "10 of 12 not known: incomplete"


def _issue_16_form(**extra) -> dict[str, str]:
    """Strangulation yes, children yes, the ten other questions unknown."""
    data = {}
    for item in risk.current("fjc-risk").items:
        known = item.code in ("strangulation", "children_present")
        data[f"answer-{item.code}"] = "yes" if known else "unknown"
        data[f"source-{item.code}"] = "victim" if known else ""
    data.update(extra)
    return data


def _words(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _history_rows(page) -> list[list[str]]:
    """The cells of each assessment row on the case page (not the answers rows)."""
    table = next(
        t for t in page.iter("table") if _words(t.find("caption")) == "Assessments, newest first"
    )
    rows = [[_words(td) for td in tr.findall("td")] for tr in table.find("tbody").findall("tr")]
    return [cells for cells in rows if len(cells) == 6]


def _printed_latest(page) -> dict[str, str]:
    section = next(s for s in page.iter("section") if s.get("aria-labelledby") == "print-risk")
    details = section.find(".//dl")
    terms = [_words(dt) for dt in details.findall("dt")]
    return dict(zip(terms, [_words(dd) for dd in details.findall("dd")], strict=True))


def _opened(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = open_test_case(app, ann[0], TriageOutcome.TRACK_2)
    return case_id, staff_client(app, ann)


def test_strangulation_yes_with_ten_unknown_is_high_and_says_it_is_incomplete(app, make_staff):
    case_id, director = _opened(app, make_staff)
    page = f"/staff/cases/{case_id}"
    form = director.get(page).page
    hints = [_words(p) for p in form.iter("p") if p.get("id") == "risk-answer-weapons-hint"]
    assert hints == ["Red flag: a yes alone sets the level to High risk."]

    saved = director.submit(f"{page}/risk", _issue_16_form(), form_page=page)
    assert saved.status_code == 303

    [row] = _history_rows(director.get(page).page)
    _, _, points, computed, final, _ = row
    assert points == "4"
    assert computed == f"High risk {STRANGULATION}"
    assert final == f"High risk {INCOMPLETE}"

    timeline = " ".join("".join(director.get(page).page.itertext()).split())
    assert "Risk assessed: High risk, incomplete" in timeline

    printed = _printed_latest(director.get(f"{page}/print").page)
    assert printed["Score"] == "4"
    assert printed["Computed level"] == f"High risk {STRANGULATION}"
    assert printed["Final level"] == f"High risk {INCOMPLETE}"

    with app.app_context():
        [stored] = risk.history(db.session, db.session.get(Case, case_id))
        assert (stored.instrument_version, stored.score) == (2, 4)
        assert (stored.computed_level, stored.final_level) == ("high", "high")


def test_lowering_a_red_flag_high_needs_a_reason(app, make_staff):
    case_id, director = _opened(app, make_staff)
    page = f"/staff/cases/{case_id}"
    refused = director.submit(
        f"{page}/risk", _issue_16_form(judged_level="standard"), form_page=page
    )
    assert refused.status_code == 200
    assert "Give a reason to set the level lower than the computed level." in _words(refused.page)
    with app.app_context():
        assert db.session.scalars(select(RiskAssessment)).all() == []

    lowered = director.submit(
        f"{page}/risk",
        _issue_16_form(judged_level="standard", judgement_reason="He died last week."),
        form_page=page,
    )
    assert lowered.status_code == 303
    [row] = _history_rows(director.get(page).page)
    assert row[3:5] == [f"High risk {STRANGULATION}", f"Standard risk {INCOMPLETE}"]


def test_a_stored_version_1_assessment_keeps_its_level_but_shows_its_unknowns(app, make_staff):
    case_id, director = _opened(app, make_staff)
    answers = {
        item.code: {"answer": "unknown", "source": None}
        for item in risk.instruments()["fjc-risk:1"].items
    }
    answers["strangulation"] = {"answer": "yes", "source": "victim"}
    answers["children_present"] = {"answer": "yes", "source": "victim"}
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        session.add(
            RiskAssessment(
                case_id=case.id,
                instrument_id="fjc-risk",
                instrument_version=1,
                answers=answers,
                score=4,
                computed_level="standard",
                judged_level="standard",
                final_level="standard",
                staff_id=case.director_id,
                created_at=clock.now() - timedelta(days=1),
            )
        )
    page = f"/staff/cases/{case_id}"
    [row] = _history_rows(director.get(page).page)
    assert row[3:5] == ["Standard risk", f"Standard risk {INCOMPLETE}"]
    printed = _printed_latest(director.get(f"{page}/print").page)
    assert printed["Computed level"] == "Standard risk"
    assert printed["Final level"] == f"Standard risk {INCOMPLETE}"


def test_a_complete_assessment_without_red_flags_shows_no_notes(app, make_staff):
    case_id, director = _opened(app, make_staff)
    page = f"/staff/cases/{case_id}"
    answers = {}
    for item in risk.current("fjc-risk").items:
        answers[f"answer-{item.code}"] = "yes" if item.code == "separation" else "no"
        answers[f"source-{item.code}"] = "file"
    assert director.submit(f"{page}/risk", answers, form_page=page).status_code == 303
    [row] = _history_rows(director.get(page).page)
    assert row[2:5] == ["2", "Standard risk", "Standard risk"]
