import re

from sqlalchemy import select

from core.model import Intake, IntakeKind
from web.db import db

CODE = re.compile(r"\b\d{4} \d{4} \d{4} \d{4}\b")


def test_an_anonymous_question_asks_for_no_contact_details(client):
    page = client.get("/en/question").page
    names = {el.get("name") for el in page.iter("input")} | {
        el.get("name") for el in page.iter("textarea")
    }
    assert names == {"csrf_token", "submission_id", "website", "question"}


def test_a_question_is_stored_without_contact_details_and_gives_a_code(app, client):
    response = client.submit("/nl/question", {"question": "Mag ik anoniem iets vragen?"})
    assert len(CODE.findall(response.get_data(as_text=True))) == 1
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
    assert intake.kind == IntakeKind.QUESTION
    assert intake.story == "Mag ik anoniem iets vragen?"
    assert (intake.name, intake.phone, intake.email) == (None, None, None)


def test_an_empty_question_is_refused(app, client):
    response = client.submit("/en/question", {"question": "   "})
    assert "Type your question." in response.get_data(as_text=True)
    assert not CODE.search(response.get_data(as_text=True))
