"""From a request to a case file over HTTP, and who may open it."""

from sqlalchemy import select

from core.model import Case, Intake
from tests.backoffice.helpers import open_test_case, staff_client
from web.db import db


def test_a_request_becomes_a_case_file_without_asking_again(app, client, make_staff):
    client.submit(
        "/en/contact",
        {
            "name": "Sam",
            "phone": "0470 12 34 56",
            "phone_permissions": ["call"],
            "story": "It started in May.",
        },
    )
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    ann = make_staff("case_director", name="Ann")
    director = staff_client(app, ann)
    page = f"/staff/intakes/{intake_id}"
    director.submit(f"{page}/decision", {"decision-outcome": "track_2"}, form_page=page)
    opened = director.submit(f"{page}/case", {}, form_page=page)
    assert opened.status_code == 303
    case_page = director.get(opened.headers["Location"])
    body = case_page.get_data(as_text=True)
    assert "It started in May." in body and "Sam" in body and "0470 12 34 56" in body
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
    assert case.number in body
    assert f"/staff/cases/{case.id}" in director.get(page).get_data(as_text=True)

    bram = make_staff("case_director", name="Bram")
    other = staff_client(app, bram)
    assert other.get(f"/staff/cases/{case.id}").status_code == 403
    assert case.number not in other.get("/staff/cases").get_data(as_text=True)
    director.submit(
        f"/staff/cases/{case.id}/members",
        {"staff_id": str(bram[0])},
        form_page=f"/staff/cases/{case.id}",
    )
    assert other.get(f"/staff/cases/{case.id}").status_code == 200

    closed = director.submit(
        f"/staff/cases/{case.id}/close",
        {"reason": "goals_reached"},
        form_page=f"/staff/cases/{case.id}",
    )
    assert closed.status_code == 303
    body = director.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Goals reached" in body and "Open the case file again" in body


def test_closing_without_a_reason_keeps_the_note_and_marks_the_reason(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = open_test_case(app, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    refused = director.submit(f"{page}/close", {"note": "Moved to Antwerp."}, form_page=page)
    assert refused.status_code == 200
    summary = next(el for el in refused.page.iter("div") if el.get("class") == "error-summary")
    link = summary.find(".//a")
    assert link.text == "Choose a reason to close the case file."
    reason = next(el for el in refused.page.iter() if el.get("id") == link.get("href")[1:])
    assert reason.get("aria-describedby") == "closure-reason-error"
    note = next(el for el in refused.page.iter("textarea") if el.get("name") == "note")
    assert note.text.strip() == "Moved to Antwerp."
    with app.app_context():
        assert db.session.get(Case, case_id).status == "open"
