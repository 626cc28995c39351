"""Input a browser would never send gets a calm page, never a server error:
odd Host headers, odd paths, odd paging (ids: tests/backoffice/test_bad_ids.py).
A failure inside a view is logged by its endpoint, not by its path."""

import logging

import pytest

BAD_HOSTS = ["a" * 70 + ".example", "fjc..example", ".", "ü" * 64]


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("path", ["/nl/", "/fr/contact", "/staff/login", "/nope", "/healthz"])
def test_a_host_header_that_cannot_be_a_name_gets_the_calm_400_page(app, host, path):
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<html" in page and "Traceback" not in page
    assert response.headers["Content-Security-Policy"]


def test_a_bad_host_behind_the_proxy_is_refused_as_well(app_factory):
    app = app_factory(FJC_PROXY_COUNT=1)
    response = app.test_client().get("/nl/", headers={"X-Forwarded-Host": "x" * 80 + ".be"})
    assert response.status_code == 400


def test_the_400_page_is_in_the_language_of_the_page_asked(app):
    response = app.test_client().get("/fr/contact", headers={"Host": "a" * 70})
    assert 'lang="fr"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/%ff%fe",
        "/nl/%00",
        "/nl/..%2f..%2fetc%2fpasswd",
        "/" + "a" * 5000,
        "/nl/contact%0d%0aSet-Cookie:x=1",
        "/staff/cases/%ff",
        "/xx/contact",
    ],
)
def test_odd_paths_are_not_found_calmly(app, path):
    response = app.test_client().get(path)
    assert response.status_code in (400, 404), path
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize("page", ["9" * 40, "-1", "0", "1e9", "%ff", "١"])
def test_odd_paging_shows_a_page(client, signed_in, page):
    signed_in("coordinator")
    for path in ("/staff/", "/staff/cases"):
        assert client.get(f"{path}?page={page}").status_code == 200, (path, page)


def test_an_exception_is_logged_by_endpoint_without_the_path(app, caplog):
    @app.get("/staff/boom/<token>")
    def boom(token):
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 page
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/staff/boom/secret-token-4711")
    assert response.status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Exception at endpoint boom [GET]" in logged
    assert "secret-token-4711" not in logged
