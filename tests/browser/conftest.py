"""Fixtures for the browser tests: Debian's Chromium driven by Playwright.

Without /usr/bin/chromium or the playwright package the tests are skipped with
a message; under CI (CI=true) that is a failure, as for PostgreSQL. They run on
SQLite only: the browser's behaviour does not depend on the database.
"""

from __future__ import annotations

import logging

import pytest

from tests.browser.live import LiveApp, NeutralSite, browser_problem, build_app, dispose_app, launch
from tests.conftest import UNDER_CI

TIMEOUT_MS = 5000


@pytest.fixture(scope="session")
def browser():
    problem = browser_problem()
    if problem:
        if UNDER_CI:
            pytest.fail(f"CI needs the browser tests: {problem}")
        pytest.skip(f"skipping the browser tests: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def neutral_site(browser):
    site = NeutralSite()
    yield site
    site.close()


@pytest.fixture(scope="session")
def live_app(neutral_site, tmp_path_factory):
    # One JSON line per request would bury a failure's output.
    logging.getLogger("fjc.request").disabled = True
    logging.getLogger("werkzeug").disabled = True
    app = build_app(tmp_path_factory.mktemp("browser"), neutral_site.url)
    server = LiveApp(app)
    yield server
    server.close()
    dispose_app(app)


def _context(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser):
    context = _context(browser, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = _context(browser, locale="en-GB", java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def small_phone(browser):
    context = _context(
        browser, locale="en-GB", viewport={"width": 320, "height": 568}, has_touch=True
    )
    yield context.new_page()
    context.close()
