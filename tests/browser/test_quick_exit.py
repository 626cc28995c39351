"""The quick exit in a real browser: Debian's Chromium, headless, on loopback.

What a person would notice: one tap or one key makes the portal disappear
within 100 ms, the Back button does not bring it (or what was typed) back, and
the visit leaves as few history entries as a website can.
"""

from __future__ import annotations

import statistics
import time

import pytest

from tests.browser.scenario import (
    BUDGET_MS,
    EXIT_WAYS,
    ExitMeter,
    press_exit,
    visit_and_type,
    visit_by_links_and_type,
)

SECRET = "he took my phone on tuesday"


def _walk(page, step) -> list[str]:
    """Go back (or forward) as far as the history goes; the URLs shown."""
    shown = []
    for _ in range(10):
        before = page.url
        step(wait_until="commit")
        if page.url == before:
            break
        # A page restored from the back/forward cache fires no load event.
        _wait_until(page, "document.readyState === 'complete'")
        shown.append(page.url)
        assert SECRET not in page.content()
    return shown


def _wait_until(page, expression: str, timeout: float = 5.0) -> None:
    # Not page.wait_for_function: it evaluates strings, which the CSP forbids.
    deadline = time.perf_counter() + timeout
    while not page.evaluate(f"() => {expression}"):
        assert time.perf_counter() < deadline, f"still not {expression}"
        time.sleep(0.02)


def _cookies_gone(context, url: str, timeout: float = 3.0) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if not context.cookies(url):
            return True
        time.sleep(0.02)
    return False


def _first_byte_ms(browser, live_app, neutral_site, how: str, javascript: bool) -> float:
    """One more, shorter, measurement: the contact page, text typed, exit."""
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        meter = ExitMeter(page, neutral_site, javascript)
        page.goto(f"{live_app.url}/en/contact")
        page.fill("main textarea", SECRET)
        meter.arm()
        return meter.measure(how, press_exit(page, how)).to_first_byte
    finally:
        context.close()


# Samples taken when the first is over the budget: a busy machine (the CI
# run's other processes winding down) puts single samples at 100-105 ms.
REMEASURES = 4


def _assert_fast(first: float, more) -> None:
    """Within the budget. One sample over it (a busy machine) is measured again
    and the median of all must be within; a slow exit fails every time."""
    samples = [first]
    if first >= BUDGET_MS:
        samples += [more() for _ in range(REMEASURES)]
    assert statistics.median(samples) < BUDGET_MS, f"exit took {samples} ms"


@pytest.mark.parametrize("how", EXIT_WAYS)
def test_exit_opens_the_neutral_site_at_once_and_back_never_shows_the_portal(
    browser, page, live_app, neutral_site, how
):
    meter = ExitMeter(page, neutral_site)
    arrived_length = visit_and_type(page, live_app.url, neutral_site.before_url, SECRET)
    # A link and a form inside the portal replaced the entry instead of adding one.
    assert page.evaluate("history.length") == arrived_length
    assert page.locator("main textarea").input_value().startswith(SECRET)

    meter.arm()
    started = press_exit(page, how)
    timing = meter.measure(how, started)

    assert page.url == neutral_site.url
    assert page.evaluate("history.length") == arrived_length, "the exit added an entry"
    _assert_fast(
        timing.to_first_byte,
        lambda: _first_byte_ms(browser, live_app, neutral_site, how, javascript=True),
    )
    # The beacon ended the session on the server, and the cookie is gone.
    assert live_app.requests("POST", "/exit", since=started)
    assert _cookies_gone(page.context, live_app.url), page.context.cookies(live_app.url)

    went_back = _walk(page, page.go_back)
    assert went_back, "Back should lead to the page before the portal"
    assert went_back[0] == neutral_site.before_url
    assert not [url for url in went_back if url.startswith(live_app.url)]
    went_forward = _walk(page, page.go_forward)
    assert not [url for url in went_forward if url.startswith(live_app.url)]
    assert page.url == neutral_site.url


def test_without_javascript_the_exit_link_ends_the_session_and_back_shows_no_typed_text(
    browser, page_without_js, live_app, neutral_site
):
    page = page_without_js
    meter = ExitMeter(page, neutral_site, javascript=False)
    visit_by_links_and_type(page, live_app.url, neutral_site.before_url, SECRET)
    assert page.context.cookies(live_app.url), "the form page starts a session"

    meter.arm()
    started = press_exit(page, "button")
    timing = meter.measure("button", started)

    assert page.url == neutral_site.url
    assert live_app.requests("GET", "/exit", since=started)
    assert page.context.cookies(live_app.url) == []
    _assert_fast(
        timing.to_first_byte,
        lambda: _first_byte_ms(browser, live_app, neutral_site, "button", javascript=False),
    )

    # Without JavaScript every portal page keeps its entry (the README says so),
    # but Back shows the page fetched anew, not the cached one with the text.
    left = time.perf_counter()
    page.go_back(wait_until="commit")
    page.wait_for_load_state("domcontentloaded")
    assert page.url == f"{live_app.url}/nl/contact"
    assert live_app.requests("GET", "/nl/contact", since=left), "restored from the cache"
    assert page.locator("main textarea").input_value() == ""
    assert SECRET not in page.content()


def test_without_the_exit_the_browser_would_restore_the_typed_text(
    page_without_js, live_app, neutral_site
):
    """The reason for the cookie change: this browser keeps pages in its
    back/forward cache, no-store or not. If this fails, the test above proves
    nothing about that cache."""
    page = page_without_js
    page.goto(f"{live_app.url}/en/contact")
    page.fill("main textarea", SECRET)
    page.goto(neutral_site.other_url)  # typed in the address bar: no exit
    left = time.perf_counter()
    page.go_back(wait_until="commit")
    assert page.url == f"{live_app.url}/en/contact"
    assert not live_app.requests("GET", "/en/contact", since=left)
    assert page.locator("main textarea").input_value() == SECRET


def test_shift_typed_with_a_letter_does_not_count_and_the_count_is_announced(
    page, live_app, neutral_site
):
    from playwright.sync_api import expect  # here: without playwright the tests skip

    page.goto(f"{live_app.url}/en/contact")
    page.click("main textarea")
    for _ in range(3):
        page.keyboard.press("Shift+H")  # capitals: Shift together with a letter
    assert page.url == f"{live_app.url}/en/contact"
    assert page.locator("main textarea").input_value() == "HHH"

    status = page.locator("#quick-exit-status")
    assert status.get_attribute("role") == "status"
    page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: press 2 more times to leave this site.")
    page.keyboard.press("Shift")
    expect(status).to_have_text("Shift: press 1 more time to leave this site.")
    assert page.url == f"{live_app.url}/en/contact"
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_site.url)


def test_shift_presses_count_within_5_seconds_and_escape_presses_within_2(
    page, live_app, neutral_site
):
    page.clock.install()
    page.goto(f"{live_app.url}/en/contact")
    status = page.locator("#quick-exit-status")

    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.clock.run_for(5100)
    assert status.text_content() == "Too slow. Press Shift 3 times quickly to leave this site."
    page.keyboard.press("Shift")  # the first of a new count, not the third
    page.clock.run_for(100)
    assert status.text_content() == "Shift: press 2 more times to leave this site."

    page.keyboard.press("Escape")
    page.clock.run_for(100)
    assert status.text_content() == "Escape: press once more to leave this site."
    page.clock.run_for(2000)
    page.keyboard.press("Escape")  # too late: a new count
    page.clock.run_for(100)
    assert page.url == f"{live_app.url}/en/contact"
    page.keyboard.press("Escape")
    page.wait_for_url(neutral_site.url)


def test_links_anchors_and_forms_inside_the_portal_add_no_history_entry(
    page, live_app, neutral_site
):
    page.goto(neutral_site.before_url)
    page.goto(f"{live_app.url}/en/")
    length = page.evaluate("history.length")

    page.click("main a[href='/en/contact']")
    page.wait_for_url(f"{live_app.url}/en/contact")
    page.click("nav a[hreflang='fr']")
    page.wait_for_url(f"{live_app.url}/fr/contact")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_app.url}/fr/contact#main")
    page.click("a.safety-link")
    page.wait_for_url(f"{live_app.url}/fr/safety")
    assert page.evaluate("history.length") == length

    # A form sent with a mistake: the answer is shown in place, under the form's
    # address, with focus on the list of problems, and the exit still works.
    page.goto(f"{live_app.url}/en/contact")
    length = page.evaluate("history.length")
    page.fill("main input[type=email]", "not an e-mail address")
    page.click("main form[method=post] [type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.url == f"{live_app.url}/en/contact"
    assert page.title().startswith("Error")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.evaluate("history.length") == length
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(neutral_site.url)
    page.go_back(wait_until="commit")
    assert not page.url.endswith("/en/contact")


PAGES = ["/en/", "/en/contact", "/en/safety"]


def test_the_exit_is_first_visible_and_sticky_at_320_px(small_phone, live_app):
    page = small_phone
    places = set()
    for path in PAGES:
        page.goto(f"{live_app.url}{path}")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "quick-exit"
        page.evaluate("document.activeElement.blur()")

        box = page.locator("#quick-exit").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 120, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
        assert box["height"] >= 44, "a finger-sized target"
        places.add((round(box["x"]), round(box["y"])))

        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        if page.evaluate("window.scrollY") > 0:
            scrolled = page.locator("#quick-exit").bounding_box()
            assert 0 <= scrolled["y"] <= box["y"], "the exit scrolled away"
            on_top = page.evaluate(
                "(([x, y]) => document.elementFromPoint(x, y).id)",
                [scrolled["x"] + 5, scrolled["y"] + 5],
            )
            assert on_top == "quick-exit", "something covers the exit"
    assert len(places) == 1, f"the exit moves between pages: {places}"
    page.goto(f"{live_app.url}/en/contact")
    assert page.evaluate("document.documentElement.scrollHeight > innerHeight")


def test_the_exit_is_labelled_in_the_page_language(small_phone, live_app):
    page = small_phone
    labels = {}
    for lang in ("nl", "fr", "en"):
        page.goto(f"{live_app.url}/{lang}/")
        assert page.evaluate("document.documentElement.lang") == lang
        labels[lang] = page.locator("#quick-exit").inner_text()
    assert labels["en"] == "Leave this site"
    assert len(set(labels.values())) == 3, labels
