"""The staff guide's walkthrough (docs/staff-guide.md, "Walkthrough: from a request
to a joint case file"), step by step over HTTP: a request on the portal becomes a
joint case file that partners work from, without asking anything twice. If this
fails, docs/staff-guide.md is no longer true."""

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.casework import risk
from core.model import Case, CaseAction, CasePartner, CasePerson, Intake
from tests.backoffice.helpers import staff_client
from tests.partner.helpers import make_member, partner_client
from web.db import db

# A Monday, 10:00 in Brussels: inside the safe times the person gives.
MONDAY_MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
STORY = "He checks my phone and he threatened me last week."
PHONE = "0470 11 22 33"


def _text(response) -> str:
    return " ".join("".join(response.page.itertext()).split())


def _ids(app, model, **where):
    with app.app_context():
        query = select(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return {
            row.name
            if hasattr(row, "name")
            else getattr(row, "organisation", None) or row.title: row.id
            for row in db.session.scalars(query)
        }


def test_a_request_becomes_a_joint_case_file(app, client, make_staff, clock):
    clock.current = MONDAY_MORNING
    # 1. The person asks for contact, safely.
    sent = client.submit(
        "/en/contact",
        {
            "name": "Sam",
            "phone": PHONE,
            "phone_permissions": ["text"],
            "safe_days": ["mon", "tue", "wed", "thu", "fri"],
            "safe_times": ["morning"],
            "children_involved": "yes",
            "story": STORY,
        },
    )
    assert sent.status_code == 200 and "return code" in _text(sent).lower()
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))

    # 2. The team sees it in the queue, with its reason, and takes it.
    chris = make_staff("coordinator", name="Chris")
    team = staff_client(app, chris)
    assert "Children in the family" in _text(team.get("/staff/"))
    request_page = f"/staff/intakes/{intake_id}"
    assert team.submit(f"{request_page}/claim", {}, form_page=request_page).status_code == 303

    # 3. Safe contact first: her rules are on the first screen; a text message
    #    inside the safe times reaches the person.
    assert f"{PHONE}: Only text messages. No calls. No voicemail." in _text(team.get(request_page))
    attempt = team.submit(
        f"{request_page}/attempts",
        {"attempt-channel": "text", "attempt-outcome": "reached"},
        form_page=request_page,
    )
    assert attempt.status_code == 303
    assert "The contact attempt is saved." in _text(team.get(request_page))

    # 4. Track 3, then the case file: the person and their story are in it.
    team.submit(f"{request_page}/decision", {"decision-outcome": "track_3"}, form_page=request_page)
    opened = team.submit(f"{request_page}/case", {}, form_page=request_page)
    assert opened.status_code == 303
    case_page = opened.headers["Location"]
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        number, case_id = case.number, case.id
    body = _text(team.get(case_page))
    assert number == "2026-0001" and STORY in body
    # Her rule travels with her number: the story and the rules are told once.
    text_only = f"{PHONE}: Only text messages. No calls. No voicemail. Do not say who you are."
    assert text_only in body

    # 5. People and relations, and a safety plan.
    victim_id = _ids(app, CasePerson, case_id=case_id)["Sam"]
    added = team.submit(
        f"{case_page}/people",
        {
            "role": "child",
            "name": "Noor",
            "birth_year": "2018",
            "school_contacts": "Basisschool De Klimop",
            "relation_kind": "child",
            "relation_to": str(victim_id),
        },
        form_page=case_page,
    )
    assert added.status_code == 303, _text(added)[-3000:]
    team.submit(
        f"{case_page}/people",
        {"role": "person_causing_harm", "name": "Alex", "no_direct_contact": "yes"},
        form_page=case_page,
    )
    plan_page = f"{case_page}/people/{victim_id}/safety-plan"
    team.submit(
        plan_page, {"section-safe_places": "My sister's flat in Mechelen."}, form_page=plan_page
    )
    body = _text(team.get(case_page))
    assert "Noor is the child of Sam." in body and "Do not contact directly" in body

    # 6. Risk assessment: computed, and the professional's judgement.
    answers = {}
    for item in risk.current("fjc-risk").items:
        answers[f"answer-{item.code}"] = "yes" if item.code in {"threats_to_kill"} else "no"
        answers[f"source-{item.code}"] = "victim"
    assessed = team.submit(
        f"{case_page}/risk", {**answers, "judged_level": "high"}, form_page=case_page
    )
    assert assessed.status_code == 303
    assert "High risk" in _text(team.get(case_page))

    # 7. Partners: the police on the 458ter basis, the school with consent.
    today = MONDAY_MORNING.date().isoformat()
    team.submit(
        f"{case_page}/partners",
        {"kind": "police", "organisation": "PZ Mechelen", "basis": "case_consultation"},
        form_page=case_page,
    )
    team.submit(
        f"{case_page}/partners",
        {
            "kind": "school",
            "organisation": "Basisschool De Klimop",
            "basis": "consent",
            "scope": ["safety_plan"],
            "consent_given_on": today,
        },
        form_page=case_page,
    )
    partner = _ids(app, CasePartner, case_id=case_id)
    police, school = partner["PZ Mechelen"], partner["Basisschool De Klimop"]

    # 8. A case consultation whose decision becomes an action, overdue later.
    consulted = team.submit(
        f"{case_page}/consultations",
        {
            "held_on": today,
            "legal_basis": "art_458ter",
            "participant-1-name": "Chris",
            "participant-1-organisation": "FJC",
            "participant-2-name": "Inspector Peeters",
            "participant-2-organisation": "PZ Mechelen",
            "decision-1-text": "Patrol near the house at night",
            "decision-1-owner": f"partner:{police}",
            "decision-1-due": (MONDAY_MORNING.date() + timedelta(days=7)).isoformat(),
        },
        form_page=case_page,
    )
    assert consulted.status_code == 303
    assert "Patrol near the house at night" in _text(team.get(case_page))
    clock.advance(days=9)
    team = staff_client(app, chris)  # a new working day, a new sign-in
    assert "Patrol near the house at night" in _text(team.get("/staff/"))

    # 9. The print view: all of it for staff, only the safety plan for the school.
    #    The police (458ter) get her number with her rule beside it.
    assert STORY in _text(team.get(f"{case_page}/print"))
    assert text_only in _text(team.get(f"{case_page}/print?partner={police}"))
    for_school = _text(team.get(f"{case_page}/print?partner={school}"))
    assert "My sister's flat in Mechelen." in for_school
    assert STORY not in for_school and PHONE not in for_school

    # 10. Under one virtual roof: the partners' members work in the file itself.
    #     The case director lets the school's and the police's members in.
    now = clock.current
    teacher = make_member(app, "Basisschool De Klimop", kind="school", second_factor_at=now)
    inspector = make_member(app, "PZ Mechelen", kind="police", second_factor_at=now)
    for partner_id, member in ((school, teacher), (police, inspector)):
        let_in = team.submit(
            f"{case_page}/partners/{partner_id}/members",
            {"staff_id": str(member.id)},
            form_page=case_page,
        )
        assert let_in.status_code == 303
    #     The school's member sees the safety plan, not the story or the phone.
    at_school = partner_client(app, teacher, clock.current)
    assert number in _text(at_school.get("/partner/"))
    seen_at_school = _text(at_school.get(f"/partner/cases/{case_id}"))
    assert "My sister's flat in Mechelen." in seen_at_school
    assert STORY not in seen_at_school and PHONE not in seen_at_school
    #     The police member marks the patrol done with a report; the case
    #     director reads it on the timeline.
    at_police = partner_client(app, inspector, clock.current)
    police_page = f"/partner/cases/{case_id}"
    patrol = _ids(app, CaseAction, case_id=case_id)["Patrol near the house at night"]
    reported = at_police.submit(
        f"{police_page}/actions/{patrol}",
        {"status": "done", "report": "Two patrols a night all week; nothing seen."},
        form_page=police_page,
    )
    assert reported.status_code == 303
    timeline = _text(team.get(case_page))
    assert "Report from a partner on an action" in timeline
    assert "Two patrols a night all week; nothing seen." in timeline
    assert "Basisschool De Klimop" in timeline  # who read what: the school did
    #     The school's consent is withdrawn: its member's next request is refused.
    team.submit(f"{case_page}/partners/{school}/withdraw", {}, form_page=case_page)
    assert "My sister's flat in Mechelen." not in _text(
        team.get(f"{case_page}/print?partner={school}")
    )
    assert at_school.get(f"/partner/cases/{case_id}").status_code == 404
    assert number not in _text(at_school.get("/partner/"))

    # 11. Closed with a reason; the figures count it without reading anyone's data.
    closed = team.submit(f"{case_page}/close", {"reason": "goals_reached"}, form_page=case_page)
    assert closed.status_code == 303
    timeline = _text(team.get(case_page))
    for event in ("Case file opened", "Person added", "Risk assessed", "Case file closed"):
        assert event in timeline
    export = team.get("/staff/stats.csv?from=2026-11&to=2026-12")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    # One request: in every export a count that small is hidden.
    assert ["requests_by_door", "2026-11", "contact", "<5"] in rows


def test_a_request_from_leuven_reaches_leuven_and_is_transferred_back(app_factory, clock):
    """The staff guide's "A network of centres": a request from a Leuven
    municipality reaches Leuven's queue and not Mechelen's; she lives in
    Mechelen now, so Leuven transfers it there, and Mechelen accepts it."""
    from core.identity.staff import create_staff
    from core.infra.config import PROJECT_ROOT
    from core.model import Centre, CentreTransfer, Municipality
    from tests.conftest import TEST_PASSWORD

    clock.current = MONDAY_MORNING
    app = app_factory(FJC_CENTRE_FILE=str(PROJECT_ROOT / "data" / "centres-example.json"))
    with app.app_context():
        herent = db.session.scalar(
            select(Municipality.id).where(Municipality.name == "Herent", Municipality.active)
        )
    sent = app.test_client().submit(
        "/en/contact",
        {"name": "Sam", "phone": PHONE, "phone_permissions": ["call"], "municipality": str(herent)},
    )
    assert "return code" in _text(sent).lower()
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))

    def coordinator(slug: str):
        with app.app_context(), db.writing() as session:
            centre = session.scalar(select(Centre).where(Centre.slug == slug))
            email = f"{slug}@fjc.example"
            create_staff(
                session,
                email=email,
                name=slug.title(),
                role="coordinator",
                password=TEST_PASSWORD,
                centre_id=centre.id,
            )
        return staff_client(app, (None, email))

    leuven, mechelen = coordinator("leuven"), coordinator("mechelen")
    request_page = f"/staff/intakes/{intake_id}"
    # 1. It is Leuven's request: in Leuven's queue; Mechelen does not find it.
    assert "Family Justice Center Leuven" in _text(leuven.get("/staff/"))
    assert leuven.get(request_page).status_code == 200
    assert mechelen.get(request_page).status_code == 404

    # 2. Leuven transfers it to Mechelen, with a reason.
    moved = leuven.submit(
        f"{request_page}/transfer",
        {"to_centre": "mechelen", "reason": "She lives in Mechelen now."},
        form_page=request_page,
    )
    assert moved.status_code == 303
    assert "It stays here until they accept it." in _text(leuven.get(request_page))

    # 3. Mechelen sees it at the top of its queue and accepts it.
    queue = mechelen.get("/staff/")
    assert "Transfers to this centre" in _text(queue)
    with app.app_context():
        transfer_id = db.session.scalar(select(CentreTransfer.id))
    accepted = mechelen.submit(f"/staff/transfers/{transfer_id}/accept", {}, form_page="/staff/")
    assert accepted.status_code == 303
    assert mechelen.get(request_page).status_code == 200
    assert "She lives in Mechelen now." not in _text(leuven.get("/staff/transfers"))
    assert leuven.get(request_page).status_code == 404
