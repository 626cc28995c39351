"""Account management by admins: invitations, deactivation, resetting the second
factor, unlocking (see test_throttle), the audit trail page; all audited."""

from sqlalchemy import select

from core.model import AuditEvent, Staff
from tests.backoffice.helpers import enrol, login
from tests.pages import form_values
from web.db import db


def _invite(client, email="new.person@fjc.example", role="case_director"):
    response = client.submit(
        "/staff/admin/staff/invite", {"name": "New Person", "email": email, "role": role}
    )
    assert response.status_code == 200
    link = response.page.find(".//p[@class='invite-link']/code").text
    return link.replace("http://localhost", "")


def _actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_an_invitation_link_works_once_and_sets_up_the_account(app, client, signed_in):
    signed_in("admin")
    path = _invite(client)
    assert path.startswith("/staff/invite/")
    client.submit("/staff/logout", {}, form_page="/staff/account")
    new = app.test_client()
    new.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(new, "new.person@fjc.example", "").status_code == 200, "no password yet"
    weak = new.submit(path, {"new_password": "new person"})
    assert "at least 12 characters" in weak.get_data(as_text=True)
    personal = new.submit(path, {"new_password": "New.Person@fjc.example"})
    assert "cannot be your e-mail address or your name" in personal.get_data(as_text=True)
    done = new.submit(path, {"new_password": "my own long passphrase"})
    assert done.status_code == 302 and done.headers["Location"] == "/staff/login"
    assert new.get(path).status_code == 404, "the link works once"
    assert login(new, "new.person@fjc.example", "my own long passphrase").status_code == 302
    assert {"staff.invited", "staff.invite_accepted"} <= set(_actions(app))


def test_an_invitation_expires_after_24_hours(app, client, signed_in, clock):
    signed_in("admin")
    path = _invite(client)
    clock.advance(hours=24, seconds=1)
    page = client.get(path)
    assert page.status_code == 404
    assert "works once, for 24 hours" in page.get_data(as_text=True)


def test_a_tampered_link_and_a_withdrawn_invitation_do_not_work(app, client, signed_in):
    signed_in("admin")
    path = _invite(client)
    assert client.get(path[:-2] + "xx").status_code == 404
    with app.app_context():
        staff_id = db.session.scalar(
            select(Staff.id).where(Staff.email == "new.person@fjc.example")
        )
    client.submit(f"/staff/admin/staff/{staff_id}/deactivate", {}, form_page="/staff/admin/staff")
    assert client.get(path).status_code == 404


def test_an_existing_address_cannot_be_invited_twice(client, signed_in, make_staff):
    _, email = make_staff("coordinator")
    signed_in("admin")
    response = client.submit(
        "/staff/admin/staff/invite", {"name": "X", "email": email, "role": "coordinator"}
    )
    assert "There is already an account" in response.get_data(as_text=True)


def test_deactivating_ends_the_sessions_and_sign_in_is_refused(app, client, make_staff):
    target_id, target_email = make_staff("case_director", name="Target")
    target = app.test_client()
    assert login(target, target_email).status_code == 302
    _, admin_email = make_staff("admin")
    login(client, admin_email)
    client.submit(f"/staff/admin/staff/{target_id}/deactivate", {}, form_page="/staff/admin/staff")
    assert target.get("/staff/").status_code == 302
    assert login(target, target_email).status_code == 200
    assert "Deactivated" in client.get("/staff/admin/staff").get_data(as_text=True)
    client.submit(f"/staff/admin/staff/{target_id}/activate", {}, form_page="/staff/admin/staff")
    assert login(target, target_email).status_code == 302
    assert {"staff.deactivated", "staff.activated"} <= set(_actions(app))


def test_an_admin_cannot_deactivate_themselves(app, client, signed_in):
    admin_id = signed_in("admin")
    token_page = client.get("/staff/admin/staff")
    assert f"/staff/admin/staff/{admin_id}/deactivate" not in token_page.get_data(as_text=True)
    token = form_values(token_page.page)["csrf_token"]
    refused = client.post(f"/staff/admin/staff/{admin_id}/deactivate", data={"csrf_token": token})
    assert refused.status_code == 303
    page = client.get("/staff/admin/staff")
    assert page.status_code == 200
    assert "You cannot deactivate your own account." in page.get_data(as_text=True)


def test_resetting_the_second_factor_ends_sessions_and_asks_for_a_new_one(
    app, client, make_staff, clock
):
    target_id, target_email = make_staff("coordinator")
    enrol(app, target_id, clock())
    _, admin_email = make_staff("admin")
    login(client, admin_email)
    response = client.submit(
        f"/staff/admin/staff/{target_id}/reset-two-step", {}, form_page="/staff/admin/staff"
    )
    assert response.status_code == 303
    with app.app_context():
        staff = db.session.get(Staff, target_id)
        assert staff.totp_secret is None and staff.totp_confirmed_at is None
    other = app.test_client()
    assert login(other, target_email).headers["Location"] == "/staff/", "no code asked now"
    assert "staff.second_factor_reset" in _actions(app)


def test_the_audit_trail_page_lists_events_newest_first(app, client, signed_in):
    signed_in("coordinator")
    page = client.get("/staff/admin/audit")
    assert page.status_code == 200
    first = next(row for row in page.page.iter("tr") if row.findall("td"))
    assert first.findall("td")[3].text == "Signed in"
    assert "audit.viewed" in _actions(app)


def test_the_audit_trail_speaks_the_readers_language_not_codes(app, client, signed_in, clock):
    from core.governance import audit

    signed_in("coordinator")
    with app.app_context(), db.writing() as session:
        audit.record(session, "intake.decided", target_type="intake", target_id=7, detail="track_2")
        audit.record(session, "made.up_action", detail="x=1")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    rows = [
        [(td.text or "") + "".join(el.text or "" for el in td) for td in row.findall("td")]
        for row in client.get("/staff/admin/audit").page.iter("tr")
        if row.findall("td")
    ]
    decided = next(row for row in rows if "Aanvraag 7" in row[4])
    assert "track_2" not in " ".join(decided) and "Spoor 2" in decided[5]
    assert any(row[3] == "made.up_action" for row in rows), "an unknown action shows its code"


def test_no_passwords_codes_or_addresses_in_the_audit_trail(app, client, signed_in):
    signed_in("admin")
    path = _invite(client, email="secret.person@fjc.example")
    token = path.rsplit("/", 1)[1]
    app.test_client().submit(path, {"new_password": "my own long passphrase"})
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent)).all()
    text = " ".join(f"{r.action} {r.target_type} {r.detail}" for r in rows)
    for secret in ("secret.person", "my own long passphrase", token, "correct horse"):
        assert secret not in text


def test_an_admins_changes_are_audited_with_who_made_them_on_whose_account(app, client, make_staff):
    target_id, _ = make_staff("case_director", name="Target")
    admin_id, admin_email = make_staff("admin", name="Ada Admin")
    login(client, admin_email)
    token = form_values(client.get("/staff/admin/staff").page)["csrf_token"]
    for change in ("deactivate", "activate", "unlock"):
        response = client.post(
            f"/staff/admin/staff/{target_id}/{change}", data={"csrf_token": token}
        )
        assert response.status_code == 303 and response.headers["Location"] == "/staff/admin/staff"
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.target_id)
            .where(AuditEvent.target_type == "staff", AuditEvent.action != "staff.login")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("staff.deactivated", admin_id, target_id),
        ("staff.activated", admin_id, target_id),
        ("staff.unlocked", admin_id, target_id),
    ]
    trail = client.get("/staff/admin/audit").page
    who = {
        row.findall("td")[3].text: row.findall("td")[2].text
        for row in trail.iter("tr")
        if row.findall("td")
    }
    assert who["Account deactivated"] == "Ada Admin"


def test_an_invitation_account_cannot_be_activated_before_it_is_accepted(app, client, signed_in):
    signed_in("admin")
    _invite(client)
    with app.app_context():
        staff_id = db.session.scalar(
            select(Staff.id).where(Staff.email == "new.person@fjc.example")
        )
    token = form_values(client.get("/staff/admin/staff").page)["csrf_token"]
    response = client.post(f"/staff/admin/staff/{staff_id}/activate", data={"csrf_token": token})
    assert response.status_code == 404
    assert "staff.activated" not in _actions(app)


def test_an_invitation_link_names_the_public_address_whatever_host_was_asked(
    app, client, signed_in
):
    app.config["FJC_PUBLIC_URL"] = "https://hulp.example.be"
    signed_in("admin")
    client.environ_base["HTTP_HOST"] = "attacker.example"
    response = client.submit(
        "/staff/admin/staff/invite",
        {"name": "New Person", "email": "new.person@fjc.example", "role": "case_director"},
    )
    link = response.page.find(".//p[@class='invite-link']/code").text
    assert link.startswith("https://hulp.example.be/staff/invite/")
