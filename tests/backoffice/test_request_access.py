"""A request that became part of a case file is the file's: a case director
who may not open the file may not open the request either, on any route, nor
see it in any list."""

from sqlalchemy import select

from core.model import AuditEvent, Intake, Message
from tests.backoffice.helpers import staff_client
from tests.pages import form_values
from web.db import db

PHONE = "0470 12 34 56"


def _request_in_a_file(app, client, director) -> int:
    client.submit("/en/contact", {"phone": PHONE, "phone_permissions": ["text"], "story": "S"})
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id).order_by(Intake.id.desc()))
    page = f"/staff/intakes/{intake_id}"
    director.submit(f"{page}/decision", {"decision-outcome": "track_2"}, form_page=page)
    assert director.submit(f"{page}/case", {}, form_page=page).status_code == 303
    return intake_id


def test_every_request_route_refuses_a_director_outside_the_file(app, client, make_staff):
    ann = staff_client(app, make_staff("case_director", name="Ann"))
    intake_id = _request_in_a_file(app, client, ann)
    with app.app_context(), db.writing() as session:
        session.add(Message(intake_id=intake_id, direction="from_requester", body="Help"))
    with app.app_context():
        message_id = db.session.scalar(select(Message.id))
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    token = form_values(bram.get("/staff/").page)["csrf_token"]
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff/intakes/<int:intake_id>")
    ]
    assert len(routes) >= 9  # page, reply, claim, assign, attempts, decision, read, links, case
    for rule in routes:
        path = rule.rule.replace("<int:intake_id>", str(intake_id)).replace(
            "<int:message_id>", str(message_id)
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method == "GET":
                response = bram.get(path)
            else:
                response = bram.post(path, data={"csrf_token": token, "body": "x", "read": "1"})
            assert response.status_code == 403, (method, path, response.status_code)
    with app.app_context():
        assert db.session.scalar(select(Message.read_at)) is None
        assert db.session.scalars(select(Message.body)).all() == ["Help"]
    # The file's own director still opens it.
    assert ann.get(f"/staff/intakes/{intake_id}").status_code == 200


def test_lists_leave_out_requests_of_files_a_director_may_not_open(app, client, make_staff):
    ann = staff_client(app, make_staff("case_director", name="Ann"))
    in_file = _request_in_a_file(app, client, ann)
    # A new request from the same number: Bram triages it and sees no match
    # pointing into Ann's file.
    client.get("/exit")
    client.submit("/en/contact", {"phone": PHONE, "phone_permissions": ["text"]})
    with app.app_context():
        new = db.session.scalar(select(Intake.id).order_by(Intake.id.desc()))
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    links = {a.get("href") for a in bram.get("/staff/?status=all").page.iter("a")}
    assert f"/staff/intakes/{new}" in links and f"/staff/intakes/{in_file}" not in links
    page = bram.get(f"/staff/intakes/{new}")
    assert f'href="/staff/intakes/{in_file}"' not in page.get_data(as_text=True)
    forged = bram.post(
        f"/staff/intakes/{new}/links",
        data={"csrf_token": form_values(page.page)["csrf_token"], "other": str(in_file)},
    )
    assert forged.status_code == 403
    coordinator = staff_client(app, make_staff("coordinator"))
    links = {a.get("href") for a in coordinator.get("/staff/?status=all").page.iter("a")}
    assert f"/staff/intakes/{in_file}" in links  # coordinators see every file
    with app.app_context():
        assert not db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "intake.linked")
        ).all()
