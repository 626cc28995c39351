"""Partner members' accounts: made by the operator or invited by a
coordinator, signed in with a second factor everywhere but in development,
told by e-mail (without any detail) that something waits, and shown to the
person in her mailbox only where the centre allows it."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.casework import partner_access, partners
from core.governance.retention import erase_case
from core.identity import totp
from core.model import (
    Case,
    CaseAction,
    CasePartnerMember,
    ConsultationContribution,
    Intake,
    PartnerOrganisation,
    PlannedConsultation,
    Staff,
)
from core.network.centres import default_centre
from tests.backoffice.helpers import open_test_case, staff_client
from tests.conftest import TEST_PASSWORD
from tests.core.intake.test_notify import smtp  # noqa: F401 - the SMTP server fixture
from tests.partner.helpers import add_partner, link, make_member, partner_client
from tests.portal.test_feedback import CODE
from web.db import db


def _text(response) -> str:
    return " ".join("".join(response.page.itertext()).split())


# --- The operator's command --------------------------------------------------


def test_create_partner_makes_a_member_of_a_new_or_known_organisation(app):
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=[
            "create-partner",
            "Ines@PZ.example",
            "--name",
            "Ines Peeters",
            "--organisation",
            "  PZ  Mechelen ",
            "--kind",
            "police",
        ],
        input=TEST_PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert "created partner account Ines@PZ.example for PZ Mechelen" in made.output
    second = runner.invoke(
        args=["create-partner", "jo@pz.example", "--name", "Jo", "--organisation", "PZ Mechelen"],
        input=TEST_PASSWORD + "\n",
    )
    assert second.exit_code == 0, second.output
    with app.app_context():
        organisations = db.session.scalars(select(PartnerOrganisation)).all()
        assert [(o.name, o.kind) for o in organisations] == [("PZ Mechelen", "police")]
        members = db.session.scalars(select(Staff).order_by(Staff.id)).all()
        assert [(m.email, m.role, m.organisation_id, m.is_active) for m in members] == [
            ("ines@pz.example", "partner", organisations[0].id, True),
            ("jo@pz.example", "partner", organisations[0].id, True),
        ]
        assert members[0].password_hash.startswith("$argon2id$")


def test_create_partner_refuses_an_existing_email_and_a_weak_password_with_status_1(app):
    runner = app.test_cli_runner()
    args = ["create-partner", "ann@caw.example", "--name", "Ann", "--organisation", "CAW"]
    assert runner.invoke(args=args, input=TEST_PASSWORD + "\n").exit_code == 0
    again = runner.invoke(args=args, input=TEST_PASSWORD + "\n")
    assert again.exit_code == 1 and "already exists" in again.output
    weak = runner.invoke(
        args=["create-partner", "b@caw.example", "--name", "B", "--organisation", "CAW"],
        input="short\n",
    )
    assert weak.exit_code == 1 and "at least 12" in weak.output
    partner_role = runner.invoke(
        args=["create-staff", "c@fjc.example", "--name", "C", "--role", "partner"],
        input=TEST_PASSWORD + "\n",
    )
    assert partner_role.exit_code == 2  # a partner member needs an organisation


# --- Invitation and the second factor ----------------------------------------


def test_a_coordinator_invites_a_member_who_sets_up_two_step_sign_in(app, make_staff, clock):
    team = staff_client(app, make_staff("coordinator"))
    form = "/staff/partners/invite"
    missing = team.submit(form, {"name": "Ines", "email": "ines@pz.example", "organisation": ""})
    assert missing.status_code == 200 and "Name the organisation." in _text(missing)
    assert missing.page.find(".//input[@id='partner-invite-email']").get("value") == (
        "ines@pz.example"
    )
    made = team.submit(
        form,
        {
            "name": "Ines",
            "email": "ines@pz.example",
            "organisation": "PZ Mechelen",
            "kind": "police",
        },
    )
    assert made.status_code == 200
    link = made.page.find(".//p[@class='invite-link']/code").text
    path = "/partner/invite/" + link.rsplit("/partner/invite/", 1)[1]
    # A team account's invitation cannot be used here, nor this one at /staff.
    assert team.get(path.replace("/partner/", "/staff/")).status_code == 404
    member = app.test_client()
    member.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    accepted = member.submit(path, {"new_password": TEST_PASSWORD})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/partner/login"
    step = member.submit("/partner/login", {"email": "ines@pz.example", "password": TEST_PASSWORD})
    # Outside development a member without a second factor can only set one up.
    assert step.headers["Location"] == "/partner/login/enrol"
    assert member.get("/partner/").status_code == 302
    enrol_page = member.get("/partner/login/enrol")
    secret = enrol_page.page.find(".//code[@class='secret']").text.replace(" ", "")
    done = member.submit(
        "/partner/login/enrol", {"code": totp.code_at_step(secret, totp.time_step(clock.current))}
    )
    assert done.status_code == 200 and "Your recovery codes" in _text(done)
    assert member.get("/partner/").status_code == 200
    assert member.get(path).status_code == 404  # the link works once


def test_in_development_a_member_may_sign_in_without_a_second_factor(app_factory):
    dev = app_factory(FJC_ENV="development")
    member = make_member(dev, "CAW De Kempen")
    client = dev.test_client()
    signed = client.submit("/partner/login", {"email": member.email, "password": TEST_PASSWORD})
    assert signed.headers["Location"] == "/partner/"


# --- E-mail notices ------------------------------------------------------------


def _body(raw: str) -> str:
    return email.message_from_string(raw, policy=email.policy.default).get_content()


@pytest.fixture
def mail_world(app_factory, smtp, make_staff, clock):  # noqa: F811 - the fixture above
    port, inbox = smtp
    mail_app = app_factory(FJC_SMTP_HOST="127.0.0.1", FJC_SMTP_PORT=port)
    director = make_staff("case_director")
    case_id = open_test_case(mail_app, director[0])
    police = add_partner(
        mail_app,
        case_id,
        director[0],
        kind="police",
        organisation="PZ Mechelen",
        basis="case_consultation",
    )
    member = make_member(
        mail_app, "PZ Mechelen", kind="police", name="Ines Peeters", second_factor_at=clock.current
    )
    return mail_app, inbox, director, case_id, police, member


def test_members_are_told_that_something_waits_and_nothing_more(mail_world):
    mail_app, inbox, director, case_id, police, member = mail_world
    team = staff_client(mail_app, director)
    case_page = f"/staff/cases/{case_id}"
    team.submit(
        f"{case_page}/partners/{police}/members", {"staff_id": str(member.id)}, form_page=case_page
    )
    team.submit(
        f"{case_page}/actions",
        {"title": "Patrol near Sam's house", "owner": f"partner:{police}"},
        form_page=case_page,
    )
    with mail_app.app_context():
        case = db.session.get(Case, case_id)
        number, names = case.number, [p.name for p in case.people]
    assert [to for to, _ in inbox.messages] == [[member.email], [member.email]]
    shared, action = (_body(raw) for _, raw in inbox.messages)
    # In Dutch: the member chose no language (the centre's default).
    assert "Een dossier van het Family Justice Center wordt nu met je gedeeld." in shared
    assert "Er staat een nieuwe actie voor je organisatie in een dossier." in action
    for body in (shared, action):
        assert "/partner/" in body
        for detail in (number, str(case_id), "Patrol", "Sam", "Ines", *filter(None, names)):
            assert detail not in body


def test_a_member_is_told_in_their_own_language(mail_world):
    mail_app, inbox, director, case_id, police, member = mail_world
    with mail_app.app_context(), db.writing() as session:
        session.get(Staff, member.id).language = "fr"
    team = staff_client(mail_app, director)
    case_page = f"/staff/cases/{case_id}"
    team.submit(
        f"{case_page}/partners/{police}/members", {"staff_id": str(member.id)}, form_page=case_page
    )
    body = _body(inbox.messages[0][1])
    assert "/partner/" in body
    assert "Un dossier du Family Justice Center est maintenant partagé avec vous." in body


# --- The person's mailbox --------------------------------------------------------


def _asked(client) -> str:
    sent = client.submit("/en/contact", {"name": "Sam", "email": "sam@example.be"})
    return CODE.findall(sent.get_data(as_text=True))[0]


@pytest.mark.parametrize("shown", [True, False])
def test_the_mailbox_says_who_looked_at_her_file_only_where_the_centre_allows(
    app, client, make_staff, clock, shown
):
    code = _asked(client)
    director = make_staff("case_director")
    team = staff_client(app, director)
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    page = f"/staff/intakes/{intake_id}"
    team.submit(f"{page}/decision", {"decision-outcome": "track_3"}, form_page=page)
    case_page = team.submit(f"{page}/case", {}, form_page=page).headers["Location"]
    case_id = int(case_page.rsplit("/", 1)[1])
    school = add_partner(
        app,
        case_id,
        director[0],
        kind="school",
        organisation="De Klimop",
        scope=("safety_plan",),
        given_at=clock.current - timedelta(hours=1),
    )
    teacher = make_member(app, "De Klimop", kind="school", second_factor_at=clock.current)
    link(app, case_id, school, teacher, director[0])
    partner_client(app, teacher, clock.current).get(f"/partner/cases/{case_id}")
    with app.app_context(), db.writing() as session:
        default_centre(session).show_partner_reads = shown
    client.get("/exit")
    client.submit("/en/return", {"code": code})
    mailbox = _text(client.get("/en/return"))
    assert ("De Klimop looked at your safety plan" in mailbox) is shown
    assert ("Who looked at your file" in mailbox) is shown


# --- Erasure ---------------------------------------------------------------------


def test_erasing_a_case_file_removes_its_members_plans_and_answers(app, make_staff, clock):
    director = make_staff("case_director")
    case_id = open_test_case(app, director[0])
    police = add_partner(
        app, case_id, director[0], kind="police", organisation="PZ", basis="case_consultation"
    )
    member = make_member(app, "PZ", kind="police", second_factor_at=clock.current)
    link(app, case_id, police, member, director[0])
    client = partner_client(app, member, clock.current)
    with app.app_context(), db.writing() as session:
        from core.casework import partner_work

        case = session.get(Case, case_id)
        today = clock.current.date()
        planned = partner_work.plan_consultation(
            session,
            case,
            session.get(Staff, director[0]),
            planned_on=today,
            legal_basis="consent",
            today=today,
        )
        access = partner_access.access_to(session, session.get(Staff, member.id), case_id)
        partner_work.contribute(
            session,
            access,
            session.get(Staff, member.id),
            planned,
            attending=True,
            contribution="Our notes.",
            today=today,
        )
    client.get(f"/partner/cases/{case_id}")
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        case.status = "closed"
        erase_case(session, case)
    with app.app_context():
        for model in (CasePartnerMember, PlannedConsultation, ConsultationContribution, CaseAction):
            assert db.session.scalars(select(model)).all() == [], model
        assert partners.partners_of(db.session, db.session.get(Case, case_id)) == []
    assert client.get(f"/partner/cases/{case_id}").status_code == 404


def test_a_known_organisation_keeps_its_kind(app, make_staff):
    team = staff_client(app, make_staff("coordinator"))
    form = "/staff/partners/invite"
    first = {
        "name": "Ines",
        "email": "ines@pz.example",
        "organisation": "PZ Mechelen",
        "kind": "police",
    }
    assert team.submit(form, first).status_code == 200
    other = {
        "name": "Tom",
        "email": "tom@school.example",
        "organisation": "PZ Mechelen",
        "kind": "school",
    }
    refused = team.submit(form, other)
    assert "This organisation is known with another kind." in _text(refused)
    with app.app_context():
        assert db.session.scalar(select(Staff).where(Staff.email == "tom@school.example")) is None
    cli = app.test_cli_runner().invoke(
        args=[
            "create-partner",
            "tom@school.example",
            "--name",
            "Tom",
            "--organisation",
            "PZ Mechelen",
            "--kind",
            "school",
        ],
        input=TEST_PASSWORD + "\n",
    )
    assert cli.exit_code == 1 and "known with another --kind" in cli.output


def test_a_referrers_mailbox_never_shows_who_looked_at_the_file(app, client, make_staff, clock):
    from tests.portal.test_referral import _referral

    sent = client.submit("/en/referral", _referral(app))
    code = CODE.findall(sent.get_data(as_text=True))[0]
    director = make_staff("case_director")
    team = staff_client(app, director)
    with app.app_context(), db.writing() as session:
        intake_id = session.scalar(select(Intake.id))
        default_centre(session).show_partner_reads = True
    page = f"/staff/intakes/{intake_id}"
    team.submit(f"{page}/decision", {"decision-outcome": "track_3"}, form_page=page)
    case_id = int(
        team.submit(f"{page}/case", {}, form_page=page).headers["Location"].rsplit("/")[-1]
    )
    police = add_partner(
        app,
        case_id,
        director[0],
        kind="police",
        organisation="PZ Mechelen",
        basis="case_consultation",
    )
    inspector = make_member(app, "PZ Mechelen", kind="police", second_factor_at=clock.current)
    link(app, case_id, police, inspector, director[0])
    partner_client(app, inspector, clock.current).get(f"/partner/cases/{case_id}")
    client.get("/exit")
    client.submit("/en/return", {"code": code})
    mailbox = _text(client.get("/en/return"))
    assert "PZ Mechelen" not in mailbox and "Who looked at your file" not in mailbox


def test_a_partner_page_that_is_gone_says_why_in_the_partner_frame(app, make_staff, clock):
    member = make_member(app, "CAW", kind="caw", second_factor_at=clock.current)
    client = partner_client(app, member, clock.current)
    gone = client.get("/partner/cases/424242")
    assert gone.status_code == 404
    text = _text(gone)
    assert "may no longer be shared with you" in text and "Back to my case files" in text
    assert gone.page.find(".//a[@href='/exit']") is None  # not the portal's frame


def test_a_head_request_is_not_recorded_as_a_read(app, make_staff, clock):
    director = make_staff("case_director")
    case_id = open_test_case(app, director[0])
    police = add_partner(
        app, case_id, director[0], kind="police", organisation="PZ", basis="case_consultation"
    )
    member = make_member(app, "PZ", kind="police", second_factor_at=clock.current)
    link(app, case_id, police, member, director[0])
    client = partner_client(app, member, clock.current)
    for path in (f"/partner/cases/{case_id}", f"/partner/cases/{case_id}/print"):
        assert client.head(path).status_code == 200
    with app.app_context():
        assert partner_access.reads_of(db.session, db.session.get(Case, case_id)) == []
    client.get(f"/partner/cases/{case_id}/print")
    with app.app_context():
        assert len(partner_access.reads_of(db.session, db.session.get(Case, case_id))) == len(
            partners.PARTS
        )
