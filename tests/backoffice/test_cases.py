"""From a request to a case file over HTTP, and who may open it."""

from sqlalchemy import select

from core.model import Case, Intake
from tests.backoffice.helpers import staff_client
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
