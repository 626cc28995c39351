import json

import pytest

PORTAL_PAGES = ["/nl/", "/fr/", "/en/", "/nl/contact", "/en/contact"]


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_every_portal_page_has_quick_exit_first_and_the_emergency_numbers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    body = response.page.find("./body")
    links = [a for a in body.iter("a")]
    assert links[0].get("class") == "skip-link"
    assert links[1].get("href") == "/exit", "the quick exit is the first link after the skip link"
    numbers = {a.get("href") for a in body.iter("a") if (a.get("href") or "").startswith("tel:")}
    assert {"tel:112", "tel:101", "tel:1712"} <= numbers


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_pages_load_nothing_from_other_hosts(client, path):
    page = client.get(path).page
    for element in page.iter():
        for attribute in ("src", "href", "action"):
            value = element.get(attribute) or ""
            assert not value.startswith(("http:", "https:", "//")), (element.tag, value)


@pytest.mark.parametrize("path", [*PORTAL_PAGES, "/staff/login"])
def test_security_headers_are_on_every_page(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # only in production


def test_quick_exit_ends_the_session_and_clears_site_data(client):
    client.get("/nl/contact")  # the form puts a CSRF token in the session
    assert client.get_cookie("fjc") is not None
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://exit.example/"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get_cookie("fjc") is None


def test_the_exit_beacon_post_ends_the_session_too(client):
    client.get("/nl/contact")
    assert client.get_cookie("fjc") is not None
    response = client.post("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://exit.example/"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get_cookie("fjc") is None


def test_static_files_may_be_cached_but_pages_may_not(client):
    css = client.get("/static/css/site.css")
    assert css.status_code == 200
    assert css.headers.get("Cache-Control") != "no-store"
    css.close()


def test_healthz_reports_the_database_without_personal_data(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.data) == {"status": "ok", "database": "ok", "data_keys": "ok"}


def test_an_unknown_page_gets_a_portal_page_with_quick_exit(client):
    response = client.get("/nl/nowhere")
    assert response.status_code == 404
    assert any(a.get("href") == "/exit" for a in response.page.iter("a"))


def test_the_quick_exit_removes_the_cookie_with_its_own_attributes(app, client):
    client.get("/en/")
    response = client.get("/exit")
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("fjc=")]
    assert cleared, response.headers
    attributes = cleared[0].lower()
    assert "expires=thu, 01 jan 1970" in attributes and "httponly" in attributes
    assert ("secure" in attributes) is bool(app.config["SESSION_COOKIE_SECURE"])
    assert "samesite=lax" in attributes
