"""Deny by default, proven over the whole URL map and per role."""

import pytest
from sqlalchemy import update

from backoffice.access import declared_permission
from core.db import db
from core.models import Staff
from core.permissions import Permission
from tests.pages import form_values

# Every staff GET page and what each role should get (200 or 403).
GET_MATRIX = {
    "/staff/": {"case_director": 200, "coordinator": 200, "admin": 403},
    "/staff/intakes/{intake_id}": {"case_director": 200, "coordinator": 200, "admin": 403},
    "/staff/account": {"case_director": 200, "coordinator": 200, "admin": 200},
}


def _staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("backoffice.")]


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


def test_the_matrix_covers_every_staff_page(app):
    get_rules = {
        rule.rule.replace("<int:intake_id>", "{intake_id}")
        for rule in _staff_rules(app)
        if "GET" in rule.methods
        and declared_permission(app.view_functions[rule.endpoint]) is not Permission.PUBLIC
    }
    assert get_rules == set(GET_MATRIX)


@pytest.fixture
def intake_id(app, client):
    client.submit("/nl/contact", {"email": "matrix@example.be"})
    with app.app_context():
        from sqlalchemy import select

        from core.models import Intake

        return db.session.scalar(select(Intake.id))


@pytest.mark.parametrize("role", ["case_director", "coordinator", "admin"])
def test_each_role_gets_what_the_matrix_says(client, signed_in, intake_id, role):
    signed_in(role)
    for path, expected in GET_MATRIX.items():
        response = client.get(path.format(intake_id=intake_id))
        assert response.status_code == expected[role], (role, path)


def test_without_signing_in_every_staff_page_sends_to_the_login(client, intake_id):
    for path in GET_MATRIX:
        response = client.get(path.format(intake_id=intake_id))
        assert response.status_code == 302, path
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
    # Every signed-in page carries the session's token in its sign-out form.
    token = form_values(client.get("/staff/account").page)["csrf_token"]
    response = client.post(
        f"/staff/intakes/{intake_id}/reply", data={"csrf_token": token, "body": "Hello"}
    )
    assert response.status_code == expected
