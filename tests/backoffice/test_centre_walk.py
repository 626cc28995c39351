"""A member of one centre finds nothing of another centre, on any route
(issue 20: "a member of centre A gets 404 for every id of centre B on every
route"), on both backends.

A three-centre app (data/centres-example.json). Leuven gets a full set of
rows: a request with messages, a case file with people, a relation, a
partner with a member, an action, safety plans, a risk assessment, a
consultation, a planned consultation, a child's voice, contact rules, and two
transfers (one it offers to Antwerpen, one Antwerpen asked of it). Then a
Mechelen coordinator (and a Mechelen admin for the account routes) walks
every rule of the URL map under /staff that names an id, with Leuven's ids:
every GET and every POST (with a valid CSRF token) is "not found", and
nothing is written. The list of routes comes from the URL map: a new route
whose argument the walk does not know fails the test until the `leuven`
fixture builds a row of that kind and names it in its ids. A Mechelen
partner member does the same on /partner; forged forms naming Leuven's
accounts, partner or request are refused too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from core.casework import (
    cases,
    partner_access,
    partner_work,
    partners,
    safety_plans,
    transfers,
)
from core.governance import retention_holds  # issue 25, retention
from core.governance.rights import access, erasure_requests
from core.infra import clock as core_clock
from core.intake import triage
from core.model import (
    AuditEvent,
    Case,
    CaseAction,
    CaseEvent,
    CasePartner,
    CasePartnerMember,
    CasePerson,
    CentreTransfer,
    Intake,
    Message,
    Staff,
    TriageOutcome,
)
from core.network.centres import add_member, centre_by_slug
from core.talk import conversations  # talk now (issue 21)
from tests.backoffice.helpers import staff_client
from tests.core.network.network_setup import (
    BRUSSELS,
    NETWORK_FILE,
    REQUESTER,
    leuven_of_everything,
    request_in,
    staff_at,
)
from tests.pages import form_values
from tests.partner.helpers import make_member, partner_client
from web.db import db

# Route arguments that name no row of a centre: an invitation's signed token.
NOT_IDS = {"token"}
MECHELEN_NAME = "Mira Mechelaar"
# Where Leuven's requests come from (each a municipality of Leuven's region).
LEUVEN_PLACES = ("Leuven", "Herent", "Tienen", "Diest")


@pytest.fixture
def app(app_factory):
    return app_factory(FJC_CENTRE_FILE=NETWORK_FILE)


@dataclass
class Leuven:
    """The ids of everything Leuven holds, by the route argument that names them."""

    ids: dict[str, list[int]]
    intake: int
    case: int
    staff_names: list[str]
    staff_emails: list[str]


def _open_file(session, director: Staff, municipality: str) -> Case:
    """A Mechelen case file of `director`, on a request from `municipality`."""
    intake = request_in(session, municipality, name=MECHELEN_NAME)
    triage.decide(session, intake, director, outcome=TriageOutcome.TRACK_2)
    return cases.open_case(session, [intake], director, track=TriageOutcome.TRACK_2)


def _police(session, case: Case, director: Staff) -> CasePartner:
    """The Mechelen police zone as a partner of `case`."""
    return partners.add_partner(
        session,
        case,
        director,
        kind="police",
        organisation="PZ Mechelen",
        basis="case_consultation",
        scope=None,
        consent_given_at=None,
    )


@pytest.fixture
def leuven(app) -> Leuven:
    with app.app_context(), db.writing() as session:
        made = leuven_of_everything(session)
        coordinator, director, member = (
            session.get(Staff, i) for i in (made.coordinator_id, made.director_id, made.member_id)
        )
        waiting = session.get(Intake, made.waiting_id)
        assert waiting.centre_id == centre_by_slug(session, "leuven").id
        case = session.get(Case, made.case_id)
        safety_plans.save(
            session,
            case,
            session.get(CasePerson, made.child_id),
            director,
            {"who_i_call": "Oma Rita"},
        )
        stranger = staff_at(session, "antwerpen", "coordinator", "Arne Antwerpen")
        asked_of = transfers.ask(
            session,
            centre_by_slug(session, "antwerpen"),
            request_in(session, "Diest", name=REQUESTER),
            stranger,
        )
        # An erasure request of Leuven's file (issue 25, GDPR art. 17).
        today = core_clock.now().date()
        erasure = erasure_requests.register(
            session,
            case.centre_id,
            coordinator,
            case_number=case.number,
            received_on=today,
            note=None,
            today=today,
        )
        # An access request of Leuven's victim, her data gathered (issue 25, art. 15).
        access_request = access.register(
            session,
            case.centre_id,
            coordinator,
            access.Registration("Sam", today, "id_document", None, "nl"),
            today,
        )
        access.choose_records(session, access_request, coordinator, [made.victim_id], [])
        # A conversation with Leuven's team (issue 21, talk now).
        talk = conversations.start(
            session, centre_id=centre_by_slug(session, "leuven").id, language="nl"
        ).conversation
        # A legal hold on Leuven's file (issue 25, retention).
        hold = retention_holds.place(
            session,
            case,
            coordinator,
            reason="Court case",
            review_on=today + timedelta(days=30),
            today=today,
        )
        session.flush()
        ids = {
            "intake_id": [made.waiting_id, made.in_file_id],
            "message_id": list(made.message_ids),
            "case_id": [made.case_id],
            "person_id": [made.victim_id, made.child_id],
            "relation_id": [made.relation_id],
            "partner_id": [made.police_id],
            "action_id": [made.action_id],
            "planned_id": [made.planned_id],
            "transfer_id": [made.offered_id, asked_of.id],
            "conversation_id": [talk.id],  # issue 21
            "erasure_id": [erasure.id],  # issue 25
            "request_id": [access_request.id],  # issue 25, access requests
            "hold_id": [hold.id],  # issue 25, retention
            # The accounts an admin manages, and the partner member a file links.
            "staff_id": [coordinator.id, director.id, member.id],
        }
        result = Leuven(
            ids=ids,
            intake=made.waiting_id,
            case=made.case_id,
            staff_names=[coordinator.name, director.name, member.name],
            staff_emails=[coordinator.email, director.email, member.email],
        )
    return result


def _id_rules(app, prefix: str):
    """Every rule under `prefix` that names something by id, with its id arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix) or not rule.arguments:
            continue
        names = sorted(rule.arguments - NOT_IDS)
        if not names:
            continue
        for name in names:
            assert isinstance(rule._converters[name], IntegerConverter), (
                f"{rule.rule}: <{name}> is not an <int:...>; add it to NOT_IDS, or to the "
                "ids of the leuven fixture"
            )
        found.append((rule, names))
    return found


def _paths(rule, names: list[str], ids: dict[str, list[int]]) -> list[str]:
    unknown = [name for name in names if name not in ids]
    assert not unknown, (
        f"{rule.rule}: the walk has no ids for {unknown}; give Leuven a row of that kind"
    )
    paths = []
    for values in itertools.product(*(ids[name] for name in names)):
        path = rule.rule
        for name, value in zip(names, values, strict=True):
            path = re.sub(rf"<(?:int:)?{name}>", str(value), path)
        paths.append(path)
    return paths


def _written(app) -> tuple[int, ...]:
    """What a refused request must not have changed."""
    with app.app_context():
        session = db.session
        return (
            session.scalar(select(func.count(AuditEvent.id))),
            session.scalar(select(func.count(CaseEvent.id))),
            session.scalar(select(func.count(Message.id))),
            session.scalar(select(func.count(CentreTransfer.id))),
            session.scalar(select(func.count(Intake.id)).where(Intake.assigned_to_id.is_not(None))),
        )


def _token(client, page: str = "/staff/") -> str:
    return form_values(client.get(page).page)["csrf_token"]


def _walk(client, rules, ids, token: str) -> list[tuple[str, str, int]]:
    """Every method of every rule with every id: what did not answer 404."""
    answered = []
    for rule, names in rules:
        for path in _paths(rule, names, ids):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    response = client.get(path)
                else:
                    response = client.post(path, data={"csrf_token": token})
                if response.status_code != 404:
                    answered.append((method, path, response.status_code))
    return answered


def test_every_staff_route_with_an_id_of_another_centre_is_not_found(app, leuven, make_staff):
    rules = _id_rules(app, "/staff")
    assert len(rules) >= 45, "the walk found the staff routes"
    covered = {name for _rule, names in rules for name in names}
    assert covered <= set(leuven.ids), covered - set(leuven.ids)
    coordinator = staff_client(app, make_staff("coordinator", name=MECHELEN_NAME))
    admin_id, admin_email = make_staff("admin")
    admin = staff_client(app, (admin_id, admin_email))
    admin_rules = [(rule, names) for rule, names in rules if rule.rule.startswith("/staff/admin/")]
    team_rules = [(rule, names) for rule, names in rules if (rule, names) not in admin_rules]
    assert admin_rules and team_rules
    coordinator_token, admin_token = _token(coordinator), _token(admin, "/staff/admin/staff")
    before = _written(app)
    answered = _walk(coordinator, team_rules, leuven.ids, coordinator_token)
    answered += _walk(admin, admin_rules, leuven.ids, admin_token)
    assert answered == [], "another centre's ids must be not found"
    assert _written(app) == before, "a refused request wrote something"


def test_the_walk_fails_for_a_route_whose_id_it_does_not_know(app):
    @app.route("/staff/widgets/<int:widget_id>")
    def widget(widget_id):  # pragma: no cover - never called
        return ""

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "widget")
    with pytest.raises(AssertionError, match="widget_id"):
        _paths(rule, sorted(rule.arguments), {"case_id": [1]})


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _links(page) -> set[str]:
    return {a.get("href") for a in page.iter("a") if a.get("href")}


@pytest.fixture
def mechelen(app, make_staff):
    """Mechelen's own request and case file, so its lists are not empty."""
    director_id, _ = make_staff("case_director", name="Marc Mechelen")
    with app.app_context(), db.writing() as session:
        director = session.get(Staff, director_id)
        waiting = request_in(session, "Mechelen", name=MECHELEN_NAME)
        case = _open_file(session, director, "Lier")
        return {"intake": waiting.id, "case": case.id, "director": director_id}


def test_the_lists_of_one_centre_show_nothing_of_another(app, leuven, mechelen, make_staff):
    coordinator = staff_client(app, make_staff("coordinator"))
    queue = coordinator.get("/staff/?status=all").page
    assert f"/staff/intakes/{mechelen['intake']}" in _links(queue)
    assert not {f"/staff/intakes/{i}" for i in leuven.ids["intake_id"]} & _links(queue)
    # The queue shows no names, but where each request comes from.
    shown = _text(queue.find(".//main"))
    assert "Lier" in shown
    assert not any(place in shown for place in LEUVEN_PLACES), shown

    case_list = coordinator.get("/staff/cases").page
    assert f"/staff/cases/{mechelen['case']}" in _links(case_list)
    assert f"/staff/cases/{leuven.case}" not in _links(case_list)
    assert REQUESTER not in _text(case_list)

    admin = staff_client(app, make_staff("admin"))
    staff_list = admin.get("/staff/admin/staff").page
    listed = _text(staff_list)
    assert "Marc Mechelen" in listed
    for name, email in zip(leuven.staff_names, leuven.staff_emails, strict=True):
        assert name not in listed and email not in listed

    with app.app_context():
        leuven_centre = centre_by_slug(db.session, "leuven").id
        leuven_events = set(
            db.session.scalars(select(AuditEvent.id).where(AuditEvent.centre_id == leuven_centre))
        )
    assert leuven_events
    for reader in (admin, coordinator):
        audit = reader.get("/staff/admin/audit").page
        rows = audit.findall(".//tbody/tr")
        assert rows, "Mechelen's own events are listed"
        shown = {int(_text(row.find("td"))) for row in rows}
        assert not shown & leuven_events
        assert not any(name in _text(audit) for name in leuven.staff_names)


def _header(page):
    return page.find(".//header")


def test_a_member_of_two_centres_switches_and_then_sees_only_the_other(
    app, leuven, mechelen, make_staff
):
    staff_id, email = make_staff("coordinator", name="Tine Twee")
    with app.app_context(), db.writing() as session:
        add_member(session, session.get(Staff, staff_id), centre_by_slug(session, "leuven"))
        centres = {
            slug: centre_by_slug(session, slug).id for slug in ("mechelen", "leuven", "antwerpen")
        }
    both = staff_client(app, (staff_id, email))
    queue = both.get("/staff/?status=all")
    switch = _header(queue.page).find(".//form[@class='centre-switch']")
    assert _text(switch) == ("Centre: Family Justice Center Mechelen Family Justice Center Leuven")
    current = switch.find(".//button[@aria-current='true']")
    assert current.get("value") == str(centres["mechelen"])
    assert f"/staff/intakes/{mechelen['intake']}" in _links(queue.page)
    assert f"/staff/intakes/{leuven.intake}" not in _links(queue.page)

    token = form_values(queue.page, action="/staff/centre")["csrf_token"]
    assert both.post("/staff/centre", data={"centre": str(centres["leuven"])}).status_code == 400
    switched = both.post(
        "/staff/centre", data={"csrf_token": token, "centre": str(centres["leuven"])}
    )
    assert switched.status_code == 303
    queue = both.get("/staff/?status=all")
    current = _header(queue.page).find(".//button[@aria-current='true']")
    assert current.get("value") == str(centres["leuven"])
    assert _text(current) == "Family Justice Center Leuven"
    assert f"/staff/intakes/{leuven.intake}" in _links(queue.page)
    assert f"/staff/intakes/{mechelen['intake']}" not in _links(queue.page)
    assert both.get(f"/staff/intakes/{leuven.intake}").status_code == 200
    assert both.get(f"/staff/intakes/{mechelen['intake']}").status_code == 404
    assert both.get(f"/staff/cases/{mechelen['case']}").status_code == 404

    # Not a member of Antwerpen: that centre does not exist for them.
    refused = both.post(
        "/staff/centre", data={"csrf_token": token, "centre": str(centres["antwerpen"])}
    )
    assert refused.status_code == 404
    for odd in ("", "x", "9" * 30):
        assert both.post(
            "/staff/centre", data={"csrf_token": token, "centre": odd}
        ).status_code == (404)
    still = both.get("/staff/?status=all")
    assert _text(still.page.find(".//button[@aria-current='true']")) == (
        "Family Justice Center Leuven"
    )


def test_a_member_of_one_centre_always_sees_its_name(app, make_staff):
    one = staff_client(app, make_staff("coordinator"))
    for path in ("/staff/", "/staff/cases", "/staff/account"):
        header = _header(one.get(path).page)
        assert header.find(".//form[@class='centre-switch']") is None
        assert _text(header.find(".//span[@class='centre-name']")) == (
            "Family Justice Center Mechelen"
        ), path


def test_every_partner_route_with_an_id_of_another_centre_is_not_found(
    app, leuven, make_staff, clock
):
    """A partner member of Mechelen, on a Mechelen file of their own, with
    Leuven's file, action and planned consultation."""
    now = clock.current
    director_id, _ = make_staff("case_director")
    inspector = make_member(
        app, "PZ Mechelen", kind="police", name="Ines Inspector", second_factor_at=now
    )
    today = now.astimezone(BRUSSELS).date()
    with app.app_context(), db.writing() as session:
        director = session.get(Staff, director_id)
        case = _open_file(session, director, "Mechelen")
        police = _police(session, case, director)
        partner_access.add_member(session, case, police, session.get(Staff, inspector.id), director)
        partner_work.plan_consultation(
            session, case, director, planned_on=today, legal_basis="art_458ter", today=today
        )
        own_case = case.id
    member = partner_client(app, inspector, now)
    assert member.get(f"/partner/cases/{own_case}").status_code == 200
    rules = _id_rules(app, "/partner")
    assert len(rules) >= 5
    token = form_values(member.get("/partner/").page)["csrf_token"]
    before = _written(app)
    assert _walk(member, rules, leuven.ids, token) == []
    # Their own file with another centre's action or planned consultation.
    mixed = {**leuven.ids, "case_id": [own_case]}
    assert _walk(member, [(r, n) for r, n in rules if len(n) > 1], mixed, token) == []
    assert _written(app) == before


def test_the_leuven_rows_are_there_for_leuven(app, leuven):
    """The walk is only worth something if the same ids open for Leuven."""
    with app.app_context():
        coordinator = db.session.scalar(select(Staff).where(Staff.id == leuven.ids["staff_id"][0]))
        email = coordinator.email
    own = staff_client(app, (coordinator.id, email))
    assert own.get(f"/staff/intakes/{leuven.intake}").status_code == 200
    assert own.get(f"/staff/cases/{leuven.case}").status_code == 200
    for person in leuven.ids["person_id"]:
        assert own.get(f"/staff/cases/{leuven.case}/people/{person}").status_code == 200
    partner = leuven.ids["partner_id"][0]
    assert own.get(f"/staff/cases/{leuven.case}/partners/{partner}").status_code == 200
    victim = leuven.ids["person_id"][0]
    assert own.get(f"/staff/cases/{leuven.case}/people/{victim}/contact").status_code == 200
    assert own.get(f"/staff/cases/{leuven.case}/people/{victim}/safety-plan").status_code == 200
    with app.app_context():
        case = db.session.get(Case, leuven.case)
        assert case.centre_id == centre_by_slug(db.session, "leuven").id


def test_ids_of_another_centre_in_a_form_are_refused(app, leuven, mechelen, make_staff):
    """A forged form on Mechelen's own request and file, naming Leuven's
    accounts, partner, person and request: nothing is linked, given or owned."""
    with app.app_context(), db.writing() as session:
        director = session.get(Staff, mechelen["director"])
        police = _police(session, session.get(Case, mechelen["case"]), director)
        own = {**mechelen, "partner": police.id}
    coordinator_id, coordinator_email = make_staff("coordinator")
    coordinator = staff_client(app, (coordinator_id, coordinator_email))
    token = _token(coordinator)
    leuven_coordinator, leuven_director, leuven_member = leuven.ids["staff_id"]
    intake_page = f"/staff/intakes/{own['intake']}"
    case_page = f"/staff/cases/{own['case']}"
    forged = [
        (f"{intake_page}/assign", {"assign-staff_id": str(leuven_coordinator)}),
        (f"{intake_page}/links", {"other": str(leuven.intake)}),
        (f"{case_page}/members", {"staff_id": str(leuven_director)}),
        (
            f"{case_page}/partners/{own['partner']}/members",
            {"staff_id": str(leuven_member)},
        ),
        (f"{case_page}/actions", {"title": "Bellen", "owner": f"staff:{leuven_coordinator}"}),
        (f"{case_page}/actions", {"title": "Bellen", "owner": f"staff:{leuven_director}"}),
        (
            f"{case_page}/actions",
            {"title": "Bellen", "owner": f"partner:{leuven.ids['partner_id'][0]}"},
        ),
        (
            f"{case_page}/relations",
            {"person": str(leuven.ids["person_id"][0]), "kind": "parent", "other": "1"},
        ),
    ]
    before = _written(app)
    for path, data in forged:
        response = coordinator.post(path, data={"csrf_token": token, **data})
        assert response.status_code != 303, (path, data)
    assert _written(app) == before
    leuven_partner = leuven.ids["partner_id"][0]
    assert coordinator.get(f"{case_page}/print?partner={leuven_partner}").status_code == 404
    with app.app_context():
        session = db.session
        assert session.get(Intake, own["intake"]).assigned_to_id is None
        assert not session.scalars(
            select(CaseAction).where(CaseAction.case_id == own["case"])
        ).all()
        assert not session.scalars(
            select(CasePartnerMember).where(CasePartnerMember.case_partner_id == own["partner"])
        ).all()
