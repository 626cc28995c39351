"""Deny by default, proven over the whole URL map and per role.

MATRIX lists every staff route, GET and POST, with the roles it allows. A new
route that is not in it fails test_the_matrix_lists_every_staff_route; each
role then tries each route over HTTP.
"""

import pytest
from sqlalchemy import select, update

from core.identity.permissions import Permission, role_allows
from core.model import Intake, Staff
from tests.pages import form_values
from web.accounts.permissions import declared_permission
from web.db import db

ROLES = ("case_director", "coordinator", "admin", "network")
PUBLIC = "public"
EVERYONE = frozenset(ROLES)
TEAM = frozenset({"case_director", "coordinator"})
ADMIN = frozenset({"admin"})
AUDIT = frozenset({"admin", "coordinator"})
COORDINATOR = frozenset({"coordinator"})
# The network's figures, and nothing of any centre's requests or case files.
NETWORK = frozenset({"network"})

MATRIX = {
    ("GET", "/staff/login"): PUBLIC,
    ("POST", "/staff/login"): PUBLIC,
    ("GET", "/staff/login/code"): PUBLIC,
    ("POST", "/staff/login/code"): PUBLIC,
    ("GET", "/staff/login/enrol"): PUBLIC,
    ("POST", "/staff/login/enrol"): PUBLIC,
    ("GET", "/staff/invite/<token>"): PUBLIC,
    # The language switch in every header, before signing in too.
    ("POST", "/staff/language"): PUBLIC,
    ("POST", "/staff/invite/<token>"): PUBLIC,
    ("GET", "/staff/"): TEAM,
    ("GET", "/staff/intakes/<int:intake_id>"): TEAM,
    ("POST", "/staff/intakes/<int:intake_id>/reply"): TEAM,
    ("POST", "/staff/intakes/<int:intake_id>/claim"): TEAM,
    ("POST", "/staff/intakes/<int:intake_id>/assign"): COORDINATOR,
    ("POST", "/staff/intakes/<int:intake_id>/attempts"): TEAM,
    ("POST", "/staff/intakes/<int:intake_id>/decision"): TEAM,
    ("POST", "/staff/intakes/<int:intake_id>/messages/<int:message_id>/read"): TEAM,
    ("POST", "/staff/intakes/<int:intake_id>/links"): TEAM,
    ("POST", "/staff/intakes/<int:intake_id>/case"): TEAM,
    ("GET", "/staff/cases"): TEAM,
    ("GET", "/staff/cases/<int:case_id>"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/members"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/close"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/reopen"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/risk"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/partners"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/partners/<int:partner_id>/withdraw"): TEAM,
    ("GET", "/staff/cases/<int:case_id>/partners/<int:partner_id>"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/partners/<int:partner_id>"): TEAM,
    ("GET", "/staff/cases/<int:case_id>/print"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/people"): TEAM,
    ("GET", "/staff/cases/<int:case_id>/people/<int:person_id>"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/people/<int:person_id>"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/people/<int:person_id>/delete"): TEAM,
    ("GET", "/staff/cases/<int:case_id>/people/<int:person_id>/contact"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/people/<int:person_id>/contact"): TEAM,
    ("GET", "/staff/cases/<int:case_id>/people/<int:person_id>/safety-plan"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/people/<int:person_id>/safety-plan"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/people/<int:person_id>/voice"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/relations"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/relations/<int:relation_id>/delete"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/actions"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/actions/<int:action_id>"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/consultations"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/consultations/planned"): TEAM,
    ("POST", "/staff/cases/<int:case_id>/partners/<int:partner_id>/members"): TEAM,
    (
        "POST",
        "/staff/cases/<int:case_id>/partners/<int:partner_id>/members/<int:staff_id>/remove",
    ): TEAM,
    ("GET", "/staff/partners/invite"): AUDIT,
    ("POST", "/staff/partners/invite"): AUDIT,
    ("GET", "/staff/stats"): TEAM,
    ("GET", "/staff/stats.csv"): TEAM,
    ("GET", "/staff/network"): NETWORK,
    ("GET", "/staff/network.csv"): NETWORK,
    # Transfers between centres (backoffice/views/transfers.py).
    ("POST", "/staff/intakes/<int:intake_id>/transfer"): COORDINATOR,
    ("POST", "/staff/intakes/<int:intake_id>/ask-transfer"): COORDINATOR,
    ("POST", "/staff/cases/<int:case_id>/transfer"): COORDINATOR,
    ("POST", "/staff/cases/<int:case_id>/partners/<int:partner_id>/reviewed"): TEAM,
    ("GET", "/staff/transfers"): COORDINATOR,
    ("POST", "/staff/transfers/<int:transfer_id>/accept"): COORDINATOR,
    ("POST", "/staff/transfers/<int:transfer_id>/decline"): COORDINATOR,
    ("POST", "/staff/transfers/<int:transfer_id>/send"): COORDINATOR,
    ("GET", "/staff/account"): EVERYONE,
    # Working for another of one's centres (a member of several).
    ("POST", "/staff/centre"): EVERYONE,
    ("GET", "/staff/account/two-step"): EVERYONE,
    ("POST", "/staff/account/two-step"): EVERYONE,
    ("POST", "/staff/account/recovery-codes"): EVERYONE,
    ("GET", "/staff/account/password"): EVERYONE,
    ("POST", "/staff/account/password"): EVERYONE,
    ("GET", "/staff/admin/staff"): ADMIN,
    ("GET", "/staff/admin/staff/invite"): ADMIN,
    ("POST", "/staff/admin/staff/invite"): ADMIN,
    ("POST", "/staff/admin/staff/<int:staff_id>/deactivate"): ADMIN,
    ("POST", "/staff/admin/staff/<int:staff_id>/activate"): ADMIN,
    ("POST", "/staff/admin/staff/<int:staff_id>/reset-two-step"): ADMIN,
    ("POST", "/staff/admin/staff/<int:staff_id>/unlock"): ADMIN,
    ("GET", "/staff/admin/audit"): AUDIT,
    # Talk now (issue 21, backoffice/views/talk.py and talk_conversation.py).
    ("GET", "/staff/talk"): TEAM,
    ("POST", "/staff/talk/availability"): TEAM,
    ("GET", "/staff/talk/events"): TEAM,
    ("GET", "/staff/talk/<int:conversation_id>"): TEAM,
    ("GET", "/staff/talk/<int:conversation_id>/events"): TEAM,
    ("POST", "/staff/talk/<int:conversation_id>/take"): TEAM,
    ("POST", "/staff/talk/<int:conversation_id>/send"): TEAM,
    ("POST", "/staff/talk/<int:conversation_id>/hand-over"): TEAM,
    ("POST", "/staff/talk/<int:conversation_id>/interpreter"): TEAM,
    ("POST", "/staff/talk/<int:conversation_id>/end"): TEAM,
    ("POST", "/staff/talk/<int:conversation_id>/block"): TEAM,
    # Retention and legal holds (issue 25, backoffice/views/retention.py).
    ("GET", "/staff/rights/retention"): COORDINATOR,
    ("POST", "/staff/rights/retention/holds"): COORDINATOR,
    ("POST", "/staff/rights/retention/holds/<int:hold_id>/lift"): COORDINATOR,
    # Rectification, restriction, erasure requests (issue 25,
    # backoffice/views/rights_records.py).
    ("GET", "/staff/rights/records"): COORDINATOR,
    ("GET", "/staff/rights/records/people/<int:person_id>"): COORDINATOR,
    ("POST", "/staff/rights/records/people/<int:person_id>/correct"): COORDINATOR,
    ("POST", "/staff/rights/records/people/<int:person_id>/restrict"): COORDINATOR,
    ("POST", "/staff/rights/records/people/<int:person_id>/lift"): COORDINATOR,
    ("GET", "/staff/rights/records/intakes/<int:intake_id>"): COORDINATOR,
    ("POST", "/staff/rights/records/intakes/<int:intake_id>/correct"): COORDINATOR,
    ("POST", "/staff/rights/records/intakes/<int:intake_id>/municipality"): COORDINATOR,
    ("POST", "/staff/rights/records/intakes/<int:intake_id>/restrict"): COORDINATOR,
    ("POST", "/staff/rights/records/intakes/<int:intake_id>/lift"): COORDINATOR,
    ("GET", "/staff/rights/erasure"): COORDINATOR,
    ("POST", "/staff/rights/erasure"): COORDINATOR,
    ("GET", "/staff/rights/erasure/<int:erasure_id>"): COORDINATOR,
    ("POST", "/staff/rights/erasure/<int:erasure_id>/erase"): COORDINATOR,
    ("POST", "/staff/rights/erasure/<int:erasure_id>/refuse"): COORDINATOR,
    # Data-subject rights: the index and access requests (issue 25,
    # backoffice/views/rights.py).
    ("GET", "/staff/rights"): COORDINATOR,
    ("GET", "/staff/rights/access/new"): COORDINATOR,
    ("POST", "/staff/rights/access/new"): COORDINATOR,
    ("GET", "/staff/rights/access/<int:request_id>"): COORDINATOR,
    ("POST", "/staff/rights/access/<int:request_id>/records"): COORDINATOR,
    ("POST", "/staff/rights/access/<int:request_id>/items"): COORDINATOR,
    ("POST", "/staff/rights/access/<int:request_id>/submit"): COORDINATOR,
    ("POST", "/staff/rights/access/<int:request_id>/send-back"): COORDINATOR,
    ("POST", "/staff/rights/access/<int:request_id>/approve"): COORDINATOR,
    ("POST", "/staff/rights/access/<int:request_id>/release"): COORDINATOR,
    ("POST", "/staff/rights/access/<int:request_id>/refuse"): COORDINATOR,
    ("GET", "/staff/rights/access/<int:request_id>/copy.pdf"): COORDINATOR,
    ("GET", "/staff/rights/access/<int:request_id>/copy.json"): COORDINATOR,
    # These end the session: tried last, each after a fresh sign-in.
    ("POST", "/staff/account/sign-out-everywhere"): EVERYONE,
    ("POST", "/staff/logout"): EVERYONE,
}
ENDS_SESSION = {"/staff/account/sign-out-everywhere", "/staff/logout"}


def _staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("backoffice.")]


def _routes(app):
    for rule in _staff_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def test_every_staff_endpoint_declares_a_permission(app):
    rules = _staff_rules(app)
    assert rules, "the back office has routes"
    undeclared = [
        rule.endpoint
        for rule in rules
        if declared_permission(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def test_a_staff_endpoint_without_a_declared_permission_is_refused(app, signed_in, client):
    app.add_url_rule(
        "/staff/forgotten", endpoint="backoffice.forgotten", view_func=lambda: "secret"
    )
    signed_in("coordinator")
    response = client.get("/staff/forgotten")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_the_matrix_lists_every_staff_route(app):
    routes = {(method, rule.rule) for method, rule in _routes(app)}
    assert routes - set(MATRIX) == set(), "a staff route is missing from MATRIX"
    assert set(MATRIX) - routes == set(), "MATRIX lists a route that does not exist"


def test_each_declared_permission_gives_what_the_matrix_says(app):
    for method, rule in _routes(app):
        permission = declared_permission(app.view_functions[rule.endpoint])
        expected = MATRIX[(method, rule.rule)]
        if expected == PUBLIC:
            assert permission is Permission.PUBLIC, rule.rule
            continue
        assert permission is not Permission.PUBLIC, rule.rule
        allowed = {role for role in ROLES if role_allows(role, permission)}
        assert allowed == expected, (method, rule.rule)


@pytest.fixture
def intake_id(app, client):
    client.submit("/nl/contact", {"email": "matrix@example.be"})
    with app.app_context():
        return db.session.scalar(select(Intake.id))


@pytest.fixture
def other_staff_id(make_staff):
    staff_id, _ = make_staff("case_director")
    return staff_id


def _path(rule: str, intake_id: int, staff_id: int) -> str:
    return (
        rule.replace("<int:intake_id>", str(intake_id))
        .replace("<int:staff_id>", str(staff_id))
        .replace("<int:message_id>", "1")
        .replace("<int:partner_id>", "1")
        .replace("<int:person_id>", "1")
        .replace("<int:relation_id>", "1")
        .replace("<int:action_id>", "1")
        .replace("<int:transfer_id>", "1")
        .replace("<int:conversation_id>", "999999")  # talk now (issue 21)
        .replace("<int:hold_id>", "1")  # retention (issue 25)
        .replace("<int:erasure_id>", "1")  # erasure requests (issue 25)
        .replace("<int:request_id>", "1")  # access requests (issue 25)
        .replace("<int:case_id>", "999999")
        .replace("<token>", "not-a-real-token")
    )


def _token(client) -> str:
    # Every signed-in page carries the session's token in its sign-out form.
    return form_values(client.get("/staff/account").page)["csrf_token"]


def _try(client, method, path, token):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": token})


def _allowed(response) -> bool:
    if response.status_code == 403:
        return False
    # Refused routes never send a signed-in person to the sign-in page.
    assert response.headers.get("Location") != "/staff/login" or response.status_code != 302
    return True


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says_over_http(
    client, signed_in, intake_id, other_staff_id, role
):
    signed_in(role)
    token = _token(client)
    for (method, rule), expected in MATRIX.items():
        if expected == PUBLIC or rule in ENDS_SESSION:
            continue
        response = _try(client, method, _path(rule, intake_id, other_staff_id), token)
        assert _allowed(response) == (role in expected), (role, method, rule, response.status)
    for rule in ENDS_SESSION:
        token = _token(client)
        response = _try(client, "POST", rule, token)
        assert response.status_code in (302, 303), (role, rule)
        assert client.get("/staff/account").status_code == 302, f"{rule} ended the session"
        signed_in(role)


def test_public_routes_are_reachable_without_signing_in(client, intake_id, other_staff_id):
    token = form_values(client.get("/staff/login").page)["csrf_token"]
    for (method, rule), expected in MATRIX.items():
        if expected != PUBLIC:
            continue
        response = _try(client, method, _path(rule, intake_id, other_staff_id), token)
        assert response.status_code != 403, (method, rule)


def test_without_signing_in_every_other_staff_route_sends_to_the_login(
    client, intake_id, other_staff_id
):
    token = form_values(client.get("/staff/login").page)["csrf_token"]
    for (method, rule), expected in MATRIX.items():
        if expected == PUBLIC:
            continue
        response = _try(client, method, _path(rule, intake_id, other_staff_id), token)
        assert response.status_code == 302, (method, rule)
        assert response.headers["Location"] == "/staff/login"


def test_logout_is_post_only_and_needs_csrf(client, signed_in):
    signed_in("coordinator")
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200, "a refused logout signs nobody out"
    response = client.submit("/staff/logout", {}, form_page="/staff/")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    "change", [{"is_active": False}, {"session_version": Staff.session_version + 1}]
)
def test_a_session_does_not_outlive_a_deactivation_or_password_change(
    app, client, signed_in, change
):
    staff_id = signed_in("coordinator")
    assert client.get("/staff/").status_code == 200
    with app.app_context(), db.writing() as session:
        session.execute(update(Staff).where(Staff.id == staff_id).values(**change))
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    ("role", "expected"), [("case_director", 303), ("coordinator", 303), ("admin", 403)]
)
def test_only_the_team_may_reply_to_a_requester(client, signed_in, intake_id, role, expected):
    signed_in(role)
    response = client.post(
        f"/staff/intakes/{intake_id}/reply", data={"csrf_token": _token(client), "body": "Hello"}
    )
    assert response.status_code == expected
