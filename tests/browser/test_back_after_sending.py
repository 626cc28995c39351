"""Without JavaScript, a person sends a form, sees her code and leaves with
the quick exit. Back must never land on Chromium's "Confirm form
resubmission" page (which shows the site's address and offers to send her
form again), and must not show her code again: the page after sending comes by
a redirect (portal/receipts.py) and shows its code once."""

from __future__ import annotations

import re
import time

CODE = re.compile(r"\d{4} \d{4} \d{4} \d{4}")


def test_back_after_sending_and_the_quick_exit_shows_no_resubmission_and_no_code(
    page_without_js, live_app, neutral_site
):
    page = page_without_js
    page.goto(f"{live_app.url}/en/question")
    page.fill("main textarea", "Is this violence?")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_app.url}/en/sent")
    assert CODE.search(page.content()), "the code is on the page after sending"

    page.click("a[href='/exit']")
    page.wait_for_url(neutral_site.url)
    page.go_back(wait_until="commit")
    page.wait_for_load_state("domcontentloaded")
    assert page.url == f"{live_app.url}/en/sent"
    shown = page.content()
    assert "ERR_CACHE_MISS" not in shown and "resubmission" not in shown.lower()
    assert not CODE.search(shown), "Back must not show the code again"
    assert "There is nothing to show here" in shown


def test_reloading_the_page_after_sending_does_not_send_again(page_without_js, live_app):
    page = page_without_js
    started = time.perf_counter()
    page.goto(f"{live_app.url}/en/question")
    page.fill("main textarea", "Can you help me?")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_app.url}/en/sent")
    page.reload()
    assert "There is nothing to show here" in page.content()
    assert len(live_app.requests("POST", "/en/question", since=started)) == 1, "sent once"


def _back_after_the_quick_exit(page, live_app, neutral_site) -> str:
    page.click("a[href='/exit']")
    page.wait_for_url(neutral_site.url)
    page.go_back(wait_until="commit")
    page.wait_for_load_state("domcontentloaded")
    shown = page.content()
    assert "ERR_CACHE_MISS" not in shown and "resubmission" not in shown.lower()
    assert page.url.startswith(live_app.url), page.url
    return shown


def test_back_after_a_form_sent_back_with_problems_shows_the_empty_form(
    page_without_js, live_app, neutral_site
):
    page = page_without_js
    page.goto(f"{live_app.url}/en/contact")
    page.fill("main textarea[name=story]", "He hits me when he drinks.")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".error-summary")
    # The problems came by redirect, to the form's own address, with what she typed.
    assert page.url == f"{live_app.url}/en/contact"
    assert page.input_value("main textarea[name=story]") == "He hits me when he drinks."

    shown = _back_after_the_quick_exit(page, live_app, neutral_site)
    assert page.url == f"{live_app.url}/en/contact"
    assert "He hits me" not in shown and "error-summary" not in shown
    assert page.input_value("main textarea[name=story]") == ""


def test_back_after_a_wrong_return_code_shows_no_resubmission(
    page_without_js, live_app, neutral_site
):
    page = page_without_js
    page.goto(f"{live_app.url}/en/return")
    page.fill("main input[name=code]", "9876 5432 1098 7654")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.url == f"{live_app.url}/en/return"

    shown = _back_after_the_quick_exit(page, live_app, neutral_site)
    assert page.url == f"{live_app.url}/en/return"
    assert "9876" not in shown and "error-summary" not in shown


def test_back_after_deleting_a_request_shows_no_resubmission(
    page_without_js, live_app, neutral_site
):
    page = page_without_js
    page.goto(f"{live_app.url}/en/question")
    page.fill("main textarea", "Can I stay anonymous?")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_app.url}/en/sent")
    code = CODE.search(page.content()).group(0)
    page.goto(f"{live_app.url}/en/return")
    page.fill("main input[name=code]", code)
    page.click("main form button[type=submit]")
    page.click("main a[href='/en/return/delete']")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_app.url}/en/return/deleted")
    assert "Your request is deleted" in page.content()

    shown = _back_after_the_quick_exit(page, live_app, neutral_site)
    # Seen once: later the page to come back with a code.
    assert page.url == f"{live_app.url}/en/return"
    assert "Your request is deleted" not in shown
