"""A child's own safety plan over HTTP: the page offers the child's parts
(who I call, where I go, my code word, my trusted adult), not an adult's,
and the print shows them in that order, under the words the child uses."""

import pytest
from sqlalchemy import select

from core.model import Case, SafetyPlan
from tests.backoffice.helpers import open_test_case, staff_client
from web.db import db

CHILD_LABELS = ["Who I call", "Where I go", "My code word", "My trusted adult"]
ADULT_LABELS = ["Warning signs that danger is rising", "Things and documents to keep ready"]


def _text(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _plan_form(page, action: str):
    (form,) = [f for f in page.iter("form") if f.get("action") == action]
    return form


@pytest.fixture
def director_and_child(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    director = staff_client(app, ann)
    case_id = open_test_case(app, ann[0])
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people", {"role": "child", "name": "Noor"}, form_page=page)
    with app.app_context():
        ids = {p.name: p.id for p in db.session.get(Case, case_id).people}
    return director, case_id, ids


def test_a_child_makes_their_own_plan(app, director_and_child):
    director, case_id, ids = director_and_child
    plan_page = f"/staff/cases/{case_id}/people/{ids['Noor']}/safety-plan"
    shown = director.get(plan_page)
    form = _plan_form(shown.page, plan_page)
    labels = [_text(label) for label in form.iter("label")]
    assert labels == CHILD_LABELS
    assert "This is the child's own plan." in _text(shown.page)

    empty = director.submit(plan_page, {}, form_page=plan_page)
    assert empty.status_code == 200
    assert "#plan-who_i_call" in [a.get("href") for a in empty.page.iter("a")]

    saved = director.submit(
        plan_page,
        {
            "section-trusted_adult": "Juf Els, 015 12 34 56",
            "section-who_i_call": "Oma Rita",
            "section-code_word": "Pannenkoek",
            # Not a part of a child's plan: a hand-made post cannot add it.
            "section-keep_ready": "Passport",
        },
        form_page=plan_page,
    )
    assert saved.status_code == 303
    with app.app_context():
        plan = db.session.scalars(select(SafetyPlan)).one()
        assert plan.content == {
            "who_i_call": "Oma Rita",
            "code_word": "Pannenkoek",
            "trusted_adult": "Juf Els, 015 12 34 56",
        }
    current = director.get(plan_page).page
    terms = [_text(dt) for dt in current.iter("dt")]
    assert terms[:3] == ["Who I call", "My code word", "My trusted adult"]

    # The print shows the child's parts in the order of the child's plan.
    printed = director.get(f"/staff/cases/{case_id}/print").page
    block = next(
        div
        for div in printed.iter("div")
        if div.get("class") == "print-block" and "Pannenkoek" in _text(div)
    )
    assert [_text(dt) for dt in block.iter("dt")] == [
        "Who I call",
        "My code word",
        "My trusted adult",
    ]


def test_an_adults_plan_keeps_the_adults_parts(app, director_and_child):
    director, case_id, ids = director_and_child
    plan_page = f"/staff/cases/{case_id}/people/{ids['Sam']}/safety-plan"
    shown = director.get(plan_page)
    labels = [_text(label) for label in _plan_form(shown.page, plan_page).iter("label")]
    assert len(labels) == 7
    assert set(ADULT_LABELS) <= set(labels)
    assert not set(CHILD_LABELS) & set(labels)
