"""Deny by default for partners, over HTTP, on both backends.

Four members try every /partner/ and every /staff/ route: a member of the
partner the action belongs to (the police), a member of another partner on
the same file (the school, consent for the safety plan only), a member whose
partner's consent was withdrawn (CAW), and a member on no file at all. Ids of
another file, or of rows of another file, are "not found" everywhere."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.casework import actions, partner_access, partner_work, partners
from core.identity.permissions import Permission
from core.model import Case, CasePartner, Staff
from tests.backoffice.helpers import open_test_case
from tests.backoffice.test_access import MATRIX as STAFF_MATRIX
from tests.backoffice.test_access import _path as staff_path
from tests.conftest import TEST_PASSWORD
from tests.pages import form_values
from tests.partner.helpers import (
    add_partner,
    link,
    make_member,
    partner_client,
    police_and_school,
)
from web.accounts.permissions import declared_permission
from web.db import db

PUBLIC = "public"
MEMBER = "member"
PARTNER_MATRIX = {
    ("GET", "/partner/login"): PUBLIC,
    ("POST", "/partner/login"): PUBLIC,
    ("GET", "/partner/login/code"): PUBLIC,
    ("POST", "/partner/login/code"): PUBLIC,
    ("GET", "/partner/login/enrol"): PUBLIC,
    ("POST", "/partner/login/enrol"): PUBLIC,
    ("GET", "/partner/invite/<token>"): PUBLIC,
    ("POST", "/partner/invite/<token>"): PUBLIC,
    ("POST", "/partner/language"): PUBLIC,
    ("GET", "/partner/"): MEMBER,
    ("GET", "/partner/cases/<int:case_id>"): MEMBER,
    ("GET", "/partner/cases/<int:case_id>/print"): MEMBER,
    ("POST", "/partner/cases/<int:case_id>/actions/<int:action_id>"): MEMBER,
    ("POST", "/partner/cases/<int:case_id>/notes"): MEMBER,
    ("POST", "/partner/cases/<int:case_id>/consultations/<int:planned_id>"): MEMBER,
    ("GET", "/partner/account"): MEMBER,
    ("GET", "/partner/account/two-step"): MEMBER,
    ("POST", "/partner/account/two-step"): MEMBER,
    ("POST", "/partner/account/recovery-codes"): MEMBER,
    ("GET", "/partner/account/password"): MEMBER,
    ("POST", "/partner/account/password"): MEMBER,
    ("POST", "/partner/account/sign-out-everywhere"): MEMBER,
    ("POST", "/partner/logout"): MEMBER,
}
CASE_ROUTES = [
    (method, rule) for (method, rule), who in PARTNER_MATRIX.items() if "<int:case_id>" in rule
]


def _partner_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("partner.")]


def test_the_matrix_lists_every_partner_route_and_each_declares_its_permission(app):
    routes = {}
    for rule in _partner_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[(method, rule.rule)] = declared_permission(app.view_functions[rule.endpoint])
    assert set(routes) == set(PARTNER_MATRIX)
    for route, permission in routes.items():
        expected = Permission.PUBLIC if PARTNER_MATRIX[route] == PUBLIC else None
        assert permission is not None, route
        assert (permission is Permission.PUBLIC) == (expected is Permission.PUBLIC), route


@pytest.fixture
def world(app, make_staff, clock):
    """One file with three partners and their members, another file, and a
    member on no file."""
    director_id, _ = make_staff("case_director")
    now = clock.current
    case_id = open_test_case(app, director_id)
    other_case_id = open_test_case(app, director_id)
    roof = police_and_school(app, case_id, director_id, now)
    police = roof.police
    caw = add_partner(
        app,
        case_id,
        director_id,
        kind="caw",
        organisation="CAW Antwerpen",
        scope=("story",),
        given_at=now - timedelta(days=1),
    )
    other_police = add_partner(
        app,
        other_case_id,
        director_id,
        kind="police",
        organisation="PZ Mechelen",
        basis="case_consultation",
    )
    members = {
        "invited": roof.inspector,
        "other_partner": roof.teacher,
        **{
            name: make_member(app, organisation, kind=kind, second_factor_at=now)
            for name, organisation, kind in (
                ("withdrawn", "CAW Antwerpen", "caw"),
                ("no_case", "Huisartsenpraktijk", "doctor"),
            )
        },
    }
    link(app, case_id, caw, members["withdrawn"], director_id)
    with app.app_context(), db.writing() as session:
        director = session.get(Staff, director_id)
        case, other = session.get(Case, case_id), session.get(Case, other_case_id)
        brussels = ZoneInfo("Europe/Brussels")
        owned = actions.add_action(
            session,
            case,
            director,
            title="Patrol near the house",
            owner=f"partner:{police}",
            due_on=None,
            zone=brussels,
        )
        elsewhere = actions.add_action(
            session,
            other,
            director,
            title="Elsewhere",
            owner=f"partner:{other_police}",
            due_on=None,
            zone=brussels,
        )
        today = now.astimezone(brussels).date()
        planned = partner_work.plan_consultation(
            session, case, director, planned_on=today, legal_basis="art_458ter", today=today
        )
        planned_elsewhere = partner_work.plan_consultation(
            session, other, director, planned_on=today, legal_basis="art_458ter", today=today
        )
        partners.withdraw_consent(session, case, session.get(CasePartner, caw), director)
        ids = {
            "case": case_id,
            "other_case": other_case_id,
            "action": owned.id,
            "other_action": elsewhere.id,
            "planned": planned.id,
            "other_planned": planned_elsewhere.id,
        }
    return ids, members


def _path(rule: str, *, case: int, action: int, planned: int) -> str:
    return (
        rule.replace("<int:case_id>", str(case))
        .replace("<int:action_id>", str(action))
        .replace("<int:planned_id>", str(planned))
        .replace("<token>", "not-a-real-token")
    )


def _form(method: str, rule: str) -> dict:
    if rule.endswith("/notes"):
        return {"note": "Checked in with the school nurse."}
    if "/actions/" in rule:
        return {"status": "in_progress", "report": "Working on it."}
    if "/consultations/" in rule:
        return {"attending": "yes", "contribution": "Our observations."}
    return {}


def _try(client, method, path, data):
    if method == "GET":
        return client.get(path)
    token = form_values(client.get("/partner/").page)["csrf_token"]
    return client.post(path, data={"csrf_token": token, **data})


# What each member gets on the file's own routes: the police member does all;
# the school's member reads and writes a note, but the police's action and
# the consultation (no action plan in its scope) are not found; the other two
# find nothing.
EXPECTED = {
    "invited": {"GET": 200, "actions": 303, "notes": 303, "consultations": 303},
    "other_partner": {"GET": 200, "actions": 404, "notes": 303, "consultations": 404},
    "withdrawn": {"GET": 404, "actions": 404, "notes": 404, "consultations": 404},
    "no_case": {"GET": 404, "actions": 404, "notes": 404, "consultations": 404},
}


def _expected(who: str, method: str, rule: str) -> int:
    if method == "GET":
        return EXPECTED[who]["GET"]
    return EXPECTED[who][next(k for k in ("actions", "notes", "consultations") if f"/{k}" in rule)]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_member_reaches_only_its_own_files_and_rows(app, world, clock, who):
    ids, members = world
    client = partner_client(app, members[who], clock.current)
    for method, rule in CASE_ROUTES:
        path = _path(rule, case=ids["case"], action=ids["action"], planned=ids["planned"])
        response = _try(client, method, path, _form(method, rule))
        assert response.status_code == _expected(who, method, rule), (who, method, rule)
        # Another file's id, or a row of another file under this file's id: not found.
        for elsewhere in (
            _path(
                rule,
                case=ids["other_case"],
                action=ids["other_action"],
                planned=ids["other_planned"],
            ),
            _path(rule, case=ids["case"], action=ids["other_action"], planned=ids["other_planned"]),
            _path(rule, case=999999, action=999999, planned=999999),
        ):
            if elsewhere == path:
                continue
            refused = _try(client, method, elsewhere, _form(method, rule))
            assert refused.status_code == 404, (who, method, elsewhere)
    listed = client.get("/partner/").get_data(as_text=True)
    with app.app_context():
        number = db.session.get(Case, ids["case"]).number
        other_number = db.session.get(Case, ids["other_case"]).number
    assert (number in listed) == (EXPECTED[who]["GET"] == 200)
    assert other_number not in listed


@pytest.mark.parametrize("who", ["invited", "no_case"])
def test_a_partner_member_is_never_signed_in_to_the_back_office(app, world, clock, who):
    """Signed in at /partner, every staff route is as if nobody were signed in;
    the member's password does not open /staff/login either."""
    _, members = world
    client = partner_client(app, members[who], clock.current)
    token = form_values(client.get("/staff/login").page)["csrf_token"]
    for (method, rule), expected in STAFF_MATRIX.items():
        if expected == "public":
            continue
        path = staff_path(rule, intake_id=1, staff_id=1)
        response = (
            client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
        )
        assert response.status_code == 302, (method, rule)
        assert response.headers["Location"] == "/staff/login", (method, rule)
    refused = client.submit(
        "/staff/login", {"email": members[who].email, "password": TEST_PASSWORD}
    )
    assert refused.status_code == 200
    assert "not right" in refused.get_data(as_text=True)


def test_a_team_account_cannot_sign_in_as_a_partner(app, make_staff, client):
    _, email = make_staff("coordinator")
    refused = client.submit("/partner/login", {"email": email, "password": TEST_PASSWORD})
    assert refused.status_code == 200
    assert "not right" in refused.get_data(as_text=True)


def test_withdrawal_or_removal_cuts_access_at_the_next_request(app, world, clock, make_staff):
    """Removal here; withdrawal is the "withdrawn" member of the test above."""
    ids, members = world
    client = partner_client(app, members["other_partner"], clock.current)
    page = f"/partner/cases/{ids['case']}"
    assert client.get(page).status_code == 200
    with app.app_context(), db.writing() as session:
        case = session.get(Case, ids["case"])
        school = next(p for p in partners.partners_of(session, case) if p.kind == "school")
        director = session.get(Staff, case.director_id)
        number = case.number
        partner_access.remove_member(
            session, case, school, session.get(Staff, members["other_partner"].id), director
        )
    assert client.get(page).status_code == 404
    assert _try(client, "POST", f"{page}/notes", {"note": "Still there?"}).status_code == 404
    assert number not in client.get("/partner/").get_data(as_text=True)
