"""Security headers on every response, portal and staff pages alike; HSTS in production."""

import pytest

from tests.backoffice.helpers import login
from tests.conftest import make_test_app
from tests.pages import CheckingClient

PAGES = ["/nl/", "/nl/contact", "/fr/safety", "/staff/login"]
STAFF_PAGES = ["/staff/", "/staff/account", "/staff/admin/audit", "/staff/intakes/999999"]


def _check_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] in ("'none'", "'self'")
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_portal_and_staff_pages_carry_the_headers_and_no_hsts_outside_production(client, signed_in):
    responses = [client.get(path) for path in PAGES]
    signed_in("coordinator")
    responses += [client.get(path) for path in STAFF_PAGES]
    assert [r.status_code for r in responses] == [200] * 7 + [404]
    for response in responses:
        _check_headers(response)
        assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def production(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path, FJC_ENV="production")
    app.test_client_class = CheckingClient
    yield app
    app.extensions["fjc_db"].engine.dispose()


def test_production_adds_hsts_to_portal_and_staff_pages_and_errors(production, make_staff):
    client = production.test_client()
    _, email = make_staff("coordinator")
    responses = [client.get(path) for path in ("/nl/", "/nl/contact", "/staff/login")]
    responses.append(login(client, email))  # a redirect to enrolment
    responses.append(client.get("/staff/login/enrol"))
    responses.append(client.get("/staff/no-such-page"))
    for response in responses:
        _check_headers(response)
        hsts = response.headers["Strict-Transport-Security"]
        assert "max-age=63072000" in hsts and "includeSubDomains" in hsts
