"""The vertical slice: a request sent on the portal is seen by staff."""

from sqlalchemy import select

from core.model import AuditEvent, Intake
from web.db import db


def test_a_portal_request_appears_in_the_queue_and_on_its_page(app, client, signed_in):
    client.submit(
        "/fr/contact",
        {
            "phone": "+32 470 11 22 33",
            "phone_permissions": ["text"],
            "email": "",
            "story": "Appelez-moi pas.",
        },
    )
    staff_id = signed_in("case_director")
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    queue = client.get("/staff/")
    assert queue.status_code == 200
    links = [a.get("href") for a in queue.page.iter("a")]
    assert f"/staff/intakes/{intake_id}" in links
    detail = client.get(f"/staff/intakes/{intake_id}")
    body = detail.get_data(as_text=True)
    # Stored and shown in the one national form (core.infra.phones).
    assert "0470 11 22 33" in body
    assert "Appelez-moi pas." in body
    assert "Français" in body
    # Calling was not ticked: beside the number, its rule says so in bold.
    terms = [el.text for el in detail.page.iter("dt")]
    answers = list(detail.page.iter("dd"))
    phone = answers[terms.index("Phone")]
    assert phone.find("span").text == "0470 11 22 33"
    assert phone.find("strong").text.startswith("Only text messages. No calls. No voicemail.")
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "intake.viewed")
        ).one()
    assert (viewed.actor_id, viewed.target_id) == (staff_id, intake_id)


def test_among_equally_urgent_requests_the_oldest_comes_first(app, client, signed_in):
    for n in range(3):
        client.submit("/nl/contact", {"email": f"n{n}@example.be"})
    signed_in("coordinator")
    queue = client.get("/staff/")
    hrefs = [
        a.get("href")
        for a in queue.page.iter("a")
        if (a.get("href") or "").startswith("/staff/intakes/")
    ]
    ids = [int(h.rsplit("/", 1)[1]) for h in hrefs]
    assert ids == sorted(ids) and len(ids) == 3


def test_an_unknown_intake_is_not_found(client, signed_in):
    signed_in("coordinator")
    assert client.get("/staff/intakes/999999").status_code == 404
