"""Risk assessment on a case file over HTTP: history, the judgement rule, access."""

from sqlalchemy import select

from core.casework import risk
from core.model import Case, RiskAssessment, TriageOutcome
from tests.backoffice.helpers import open_test_case, staff_client
from tests.pages import form_values
from web.db import db


def _case(app, director_id) -> int:
    return open_test_case(app, director_id, TriageOutcome.TRACK_2)


def _form(yes=(), **extra):
    data = {}
    for item in risk.current("fjc-risk").items:
        data[f"answer-{item.code}"] = "yes" if item.code in yes else "no"
        data[f"source-{item.code}"] = "victim"
    data.update(extra)
    return data


def test_an_assessment_is_saved_and_shown_in_the_history(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = _case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    body = director.get(page).get_data(as_text=True)
    assert "No risk assessment yet." in body
    assert "choked or strangled" in body

    # No red flag among these (test_risk_red_flags.py has those): the points decide.
    saved = director.submit(
        f"{page}/risk",
        _form(("separation", "escalation", "stalking")),
        form_page=page,
    )
    assert saved.status_code == 303
    body = director.get(page).get_data(as_text=True)
    assert "The risk assessment is saved." in body
    assert "Elevated risk" in body and "Risk assessed" in body

    raised = director.submit(
        f"{page}/risk", _form(("separation",), judged_level="high"), form_page=page
    )
    assert raised.status_code == 303
    with app.app_context():
        rows = risk.history(db.session, db.session.get(Case, case_id))
        assert [(a.score, a.computed_level, a.final_level) for a in rows] == [
            (2, "standard", "high"),
            (6, "elevated", "elevated"),
        ]
        assert rows[1].answers["escalation"] == {"answer": "yes", "source": "victim"}
        assert rows[1].answers["strangulation"] == {"answer": "no", "source": "victim"}


def test_lowering_without_a_reason_keeps_what_was_typed_and_stores_nothing(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = _case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    refused = director.submit(
        f"{page}/risk",
        _form(
            ("strangulation", "threats_to_kill", "weapons", "escalation"), judged_level="standard"
        ),
        form_page=page,
    )
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "Give a reason to set the level lower than the computed level." in body
    checked = {
        (el.get("name"), el.get("value"))
        for el in refused.page.iter("input")
        if el.get("type") == "radio" and el.get("checked") is not None
    }
    assert ("answer-weapons", "yes") in checked
    assert ("judged_level", "standard") in checked

    missing = director.submit(f"{page}/risk", {**_form(), "source-pregnancy": ""}, form_page=page)
    assert "Say where each yes or no answer comes from." in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(RiskAssessment)).all() == []

    lowered = director.submit(
        f"{page}/risk",
        _form(
            ("strangulation", "threats_to_kill", "weapons", "escalation"),
            judged_level="standard",
            judgement_reason="He is in prison for five years.",
        ),
        form_page=page,
    )
    assert lowered.status_code == 303
    body = director.get(page).get_data(as_text=True)
    assert "He is in prison for five years." in body and "Standard risk" in body


def test_a_case_director_not_on_the_file_cannot_assess(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = _case(app, ann[0])
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    page = f"/staff/cases/{case_id}"
    # A valid token from a page Bram may see, so only the file rule can refuse.
    token = form_values(bram.get("/staff/cases").page)["csrf_token"]
    refused = bram.post(f"{page}/risk", data={**_form(), "csrf_token": token})
    assert refused.status_code == 403
    assert bram.get(page).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(RiskAssessment)).all() == []
