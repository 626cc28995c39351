"""Account management by admins: invitations, deactivation, resetting the second
factor, unlocking (see test_throttle), the audit trail page; all audited."""

import re

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
    # One character changed inside the signature, not its last ones: base64's
    # last character carries bits that decoding drops, so "...xx" could stand
    # for the same signature (it did, about once in a thousand runs).
    inside = len(path) - 6
    tampered = path[:inside] + ("A" if path[inside] != "A" else "B") + path[inside + 1 :]
    assert client.get(tampered).status_code == 404
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
    # Each shape of detail core writes (grep core/ for detail= and
    # audit_detail=), and what a Dutch and a French reader see: ids as numbers,
    # no code and no English word left.
    details = {
        "track_2": ("Spoor 2", "Piste 2"),
        "totp": ("authenticatie-app", "application d'authentification"),
        "recovery_code": ("herstelcode", "code de secours"),
        "password": ("Verkeerd wachtwoord", "Mot de passe erroné"),
        "code": ("Verkeerde code", "Code erroné"),
        "locked": ("geblokkeerd", "bloqué"),
        "waiting": ("Te snel", "Trop tôt"),
        "too many failed attempts": ("Te veel mislukte pogingen", "Trop de tentatives"),
        "operator": ("technisch beheerder", "l'exploitant"),
        "released": ("Aan niemand meer toegewezen", "Plus attribuée à personne"),
        "to staff 12": ("Aan account 12", "Au compte 12"),
        "attempt 4 outside the rules": (
            "Contactpoging 4, buiten",
            "Tentative de contact 4, en dehors",
        ),
        "message 5": ("Bericht 5", "Message 5"),
        "intake 8": ("Aanvraag 8", "Demande 8"),
        "from intake 8": ("Uit aanvraag 8", "À partir de la demande 8"),
        "staff 12": ("Account 12", "Compte 12"),
        "person 3 intake 8": ("Persoon 3, aanvraag 8", "Personne 3, demande 8"),
        "person 3 voice 2": (
            "Persoon 3, kind gehoord (verslag 2)",
            "Personne 3, enfant entendu (compte rendu 2)",
        ),
        "person 3 victim": ("Persoon 3: Slachtoffer", "Personne 3 : Victime"),
        "safety plan 6 person 3": (
            "Veiligheidsplan 6, persoon 3",
            "Plan de sécurité 6, personne 3",
        ),
        "relation 2 parent person 3 other 4": (
            "Relatie 2: persoon 3 is de ouder van persoon 4.",
            "Lien 2 : personne 3 est le parent de personne 4.",
        ),
        "action 9 staff": ("Actie 9, voor een teamlid", "Action 9, pour un membre de l'équipe"),
        "action 9 partner": ("Actie 9, voor een partner", "Action 9, pour un partenaire"),
        "action 9 open in_progress": ("Actie 9: Open → In behandeling", "Action 9 : À faire → En"),
        "action 9 done cancelled": ("Actie 9: Klaar → Geannuleerd", "Action 9 : Fait → Annulé"),
        "action 9": ("Actie 9", "Action 9"),
        "note": ("Een notitie", "Une note"),
        "planned 5 consent": ("Gepland casusoverleg 5", "Concertation de cas prévue 5"),
        "planned 5": ("Gepland casusoverleg 5", "Concertation de cas prévue 5"),
        "consultation 7 art_458ter actions 10,11": ("Casusoverleg 7", "Concertation de cas 7"),
        "consultation 7 consent actions none": ("Geen acties", "Aucune action"),
        "partner 4 member 12": ("Partner 4, account 12", "Partenaire 4, compte 12"),
        "partner 4,5 parts story,safety_plan": (
            "Partner 4, 5, delen:",
            "Partenaire 4, 5, parties :",
        ),
        "partner 4 police consent": ("Partner 4: Politiezone", "Partenaire 4 : Zone de police"),
        "partner 4 caw": ("Partner 4: CAW", "Partenaire 4 : CAW"),
        "partner 4": ("Partner 4", "Partenaire 4"),
        "fjc-risk:2 high": (
            "Instrument fjc-risk:2: Hoog risico",
            "Instrument fjc-risk:2 : Risque élevé",
        ),
        "role=case_director": ("rol: Casusregisseur", "rôle : Gestionnaire de cas"),
        "organisation=3": ("partnerorganisatie: 3", "organisation partenaire : 3"),
    }
    # Codes and English words of the details (those French shares left out).
    english = {
        "track_2", "totp", "recovery_code", "password", "locked", "waiting", "too many",
        "operator", "released", "staff", "attempt", "outside", "intake", "person", "voice",
        "victim", "safety plan", "relation", "other", "in_progress", "done", "cancelled",
        "planned", "consent", "art_458ter", "none", "member", "parts", "story", "high", "role",
        "case_director",
    }  # fmt: skip
    with app.app_context(), db.writing() as session:
        for n, detail in enumerate(details, start=100):
            audit.record(
                session, "intake.decided", target_type="intake", target_id=n, detail=detail
            )
        audit.record(session, "made.up_action", detail="x=1")
    for language, column in (("nl", 0), ("fr", 1)):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        rows = [
            [(td.text or "") + "".join(el.text or "" for el in td) for td in row.findall("td")]
            for row in client.get("/staff/admin/audit?page=1").page.iter("tr")
            if row.findall("td")
        ]
        target = "Aanvraag" if language == "nl" else "Demande"
        shown = {row[4]: row[5] for row in rows if row[4].startswith(target)}
        for n, (detail, words) in enumerate(details.items(), start=100):
            said = shown[f"{target} {n}"].replace("\xa0", " ")  # French spaces
            assert words[column] in said, (language, detail, said)
            left = [w for w in english if re.search(rf"(?<![\w-]){w}(?![\w-])", said)]
            assert not left, (language, detail, said, left)
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
