"""Talk now in a real browser (Debian's Chromium): a person and a member of
the team write to each other live, the quick exit in the middle of a
conversation leaves nothing to go Back to, and the whole way works without
JavaScript, up to reading the conversation again in the mailbox.

The app is the in-process live server (werkzeug, threaded: its event
streams stay open as behind the live server). Where a test plays the team's
side with the kernel, it announces the change as the staff views do."""

from __future__ import annotations

import contextlib
import time

import pytest

from core.model import ConversationStatus, EndReason
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.portal_visit import CODE, open_mailbox
from tests.browser.scenario import press_exit
from tests.browser.talk_helpers import (
    HeldPost,
    conversation,
    end_open_conversations,
    member_on_duty,
    newest_conversation_id,
    off_duty,
    open_hours_after,
    sign_in_staff,
    the_team_takes,
    the_team_writes,
)

# Without JavaScript the waiting page reloads itself every 5 seconds
# (portal/templates/portal/talk_conversation.html): one refresh and a margin.
REFRESHED_MS = 5000 + TIMEOUT_MS

# Seconds: a line reaches the other side within this, both ways.
LIVE_SECONDS = 3
# Seconds: how long a real neutral site takes to answer, about.
NEUTRAL_SITE_DELAY = 0.3

HER_FIRST = "He took my phone, I write from my sister's."
HER_UNSENT = "He is coming back at six"
TEAM_FIRST = "Are you safe to write now?"
TEAM_ANSWER = "Thank you. You did well to write. Is your sister with you?"


@pytest.fixture
def on_duty(live_app, clock):
    """Opening hours, no conversation left by another test, and a member of
    the team with the switch on."""
    clock.current = open_hours_after(clock.current)
    end_open_conversations(live_app.app)
    member = member_on_duty(live_app.app)
    yield member
    end_open_conversations(live_app.app)
    off_duty(live_app.app, member)


@pytest.fixture
def staff_page(browser):
    """A second browser of its own: the team member's."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _start(page, live_app) -> int:
    """She says it is safe and starts; the waiting page. Returns the id."""
    before = newest_conversation_id(live_app.app) or 0
    page.goto(f"{live_app.url}/en/talk")
    assert "Is it safe for you to write now?" in page.inner_text("main")
    assert "ends the conversation on this device" in page.inner_text("main")
    page.check("input[name=safe_now][value=yes]")
    page.click("#talk-start button[type=submit]")
    page.wait_for_selector("#talk-status[data-state=waiting]")
    started = newest_conversation_id(live_app.app)
    assert started and started > before
    return started


def _lines(page, css: str) -> list[str]:
    return [text.strip() for text in page.locator(css).all_inner_texts()]


def _wait_for_line(page, css: str, text: str) -> None:
    page.locator(css, has_text=text).first.wait_for()


def _wait_until(page, expression: str, timeout: float = 5.0) -> None:
    # Not page.wait_for_function: it evaluates strings, which the CSP forbids.
    deadline = time.perf_counter() + timeout
    while not page.evaluate(f"() => {expression}"):
        assert time.perf_counter() < deadline, f"still not {expression}"
        time.sleep(0.02)


def _navigations(live_app, path: str, since: float) -> list:
    return [hit for hit in live_app.requests("GET", path, since=since) if hit.navigation]


def _slow_neutral_site(route) -> None:
    # A sync route handler: Playwright runs it while the test waits in
    # page.wait_for_url, and the browser goes on meanwhile.
    from playwright.sync_api import Error

    time.sleep(NEUTRAL_SITE_DELAY)
    with contextlib.suppress(Error):  # the page gave this navigation up meanwhile
        route.continue_()


# --- 1. live, both ways ------------------------------------------------------


def test_a_person_and_a_team_member_write_to_each_other_live(page, staff_page, live_app, on_duty):
    sign_in_staff(staff_page, live_app.url, on_duty)
    staff_page.goto(f"{live_app.url}/staff/talk")
    assert "Nobody is waiting." in staff_page.inner_text("#talk-board")
    list_shown = time.perf_counter()

    conversation_id = _start(page, live_app)
    started = time.perf_counter()

    # The waiting list changes by itself: the page's stream, then its own fetch.
    staff_page.locator(f"#take-{conversation_id}").wait_for()
    assert not _navigations(live_app, "/staff/talk", list_shown), "the list was reloaded"
    staff_page.click(f"#take-{conversation_id}")
    staff_page.wait_for_url(f"**/staff/talk/{conversation_id}#message-body")
    staff_page.locator("#message-form").wait_for()
    taken = time.perf_counter()

    # She sees at once that someone is there, and writes.
    page.locator("#talk-status[data-state=active]").wait_for()
    _wait_for_line(page, "#talk-log li.talk-event", "A team member is with you now.")
    held = HeldPost(page, live_app.url, "/en/talk/send")
    page.fill("#talk-body", HER_FIRST)
    page.click("#talk-send")
    held.wait_until_held()
    # Not stored yet: no "Sent", the team has nothing, the text stays in the box.
    assert page.inner_text("#talk-send-status") == "Sending…"
    assert page.input_value("#talk-body") == HER_FIRST
    assert HER_FIRST not in staff_page.inner_text("#transcript")
    held.release()
    released = time.perf_counter()
    page.locator("#talk-send-status", has_text="Sent").wait_for()
    assert page.input_value("#talk-body") == ""
    assert _lines(page, "#talk-log li.from-you p.body") == [HER_FIRST]

    # The member's page shows her line by itself, and the answer goes back.
    _wait_for_line(staff_page, "#transcript li.talk-person", HER_FIRST)
    to_staff = time.perf_counter() - released
    held = HeldPost(staff_page, live_app.url, f"/staff/talk/{conversation_id}/send")
    staff_page.fill("#message-body", TEAM_ANSWER)
    staff_page.click("#message-form button[type=submit]")
    held.wait_until_held()
    assert "Sending…" in staff_page.inner_text("#transcript li.talk-pending")
    assert "Sent" not in staff_page.inner_text("#message-status")
    held.release()
    released = time.perf_counter()
    staff_page.locator("#message-status", has_text="Sent").wait_for()
    _wait_for_line(page, "#talk-log li.from-team", TEAM_ANSWER)
    to_her = time.perf_counter() - released

    assert _lines(page, "#talk-log li.from-team p.body") == [TEAM_ANSWER]
    assert _lines(staff_page, "#transcript li.talk-person p.body") == [HER_FIRST]
    assert not _navigations(live_app, "/en/talk", started), "her page was reloaded"
    assert not _navigations(live_app, f"/staff/talk/{conversation_id}", taken), "reloaded"
    assert to_staff < LIVE_SECONDS and to_her < LIVE_SECONDS, (to_staff, to_her)
    assert conversation(live_app.app, conversation_id).status == ConversationStatus.ACTIVE


# --- 2. the quick exit in the middle -----------------------------------------


def test_the_quick_exit_in_a_conversation_ends_it_and_back_shows_nothing_of_it(
    page, live_app, neutral_site, on_duty
):
    page.goto(neutral_site.before_url)
    conversation_id = _start(page, live_app)
    the_team_takes(live_app.app, conversation_id, on_duty)
    page.locator("#talk-status[data-state=active]").wait_for()
    the_team_writes(live_app.app, conversation_id, on_duty, TEAM_FIRST)
    _wait_for_line(page, "#talk-log li.from-team", TEAM_FIRST)
    page.fill("#talk-body", HER_FIRST)
    page.click("#talk-send")
    page.locator("#talk-send-status", has_text="Sent").wait_for()
    page.fill("#talk-body", HER_UNSENT)
    # Nothing of the conversation is kept in the browser's storage.
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]

    # The neutral site is on the internet, a few hundred ms away, while her
    # conversation's stream hears of the end (the beacon) within a few ms. The
    # loopback site here answers at once and would hide what comes first.
    from playwright.sync_api import TimeoutError as NotThere  # here: without it the tests skip

    page.route(neutral_site.url, _slow_neutral_site)
    started = press_exit(page, "button")
    with contextlib.suppress(NotThere):  # the assertions say what came instead
        page.wait_for_url(neutral_site.url)
    # Not her conversation's page over the exit when its stream hears of the end.
    assert not _navigations(live_app, "/en/talk", started), "the portal came back"
    assert page.url == neutral_site.url

    # The beacon ended it on the server: the team sees why.
    deadline = time.perf_counter() + 5
    while conversation(live_app.app, conversation_id).status != ConversationStatus.ENDED:
        assert time.perf_counter() < deadline, "the conversation is still open"
        time.sleep(0.02)
    ended = conversation(live_app.app, conversation_id)
    assert ended.end_reason == EndReason.QUICK_EXIT
    assert ended.token_key is None, "her cookie's token opens nothing any more"

    written = (HER_FIRST, HER_UNSENT, TEAM_FIRST, "A team member is with you now.")
    for _ in range(2):  # Back, and Back again
        before = page.url
        page.go_back(wait_until="commit")
        _wait_until(page, "document.readyState === 'complete'")
        shown = page.content()
        assert not [text for text in written if text in shown], page.url
        assert page.locator("#talk-log li").count() == 0
        boxes = page.locator("textarea")
        assert all(boxes.nth(i).input_value() == "" for i in range(boxes.count()))
        if page.url == before:
            break  # the start of the history
    assert not page.url.startswith(f"{live_app.url}/en/talk"), page.url

    kept = page.context.storage_state()
    app_origins = [o for o in kept["origins"] if o["origin"].startswith(live_app.url)]
    assert not [o for o in app_origins if o.get("localStorage")], app_origins
    assert page.context.cookies(live_app.url) == []


# --- 3. without JavaScript, end to end ---------------------------------------


def test_without_javascript_she_waits_writes_reads_the_answer_ends_and_reads_it_again(
    page_without_js, live_app, on_duty
):
    page = page_without_js
    conversation_id = _start(page, live_app)
    # Waiting: no box yet (a refresh would wipe what she types).
    assert not page.locator("#talk-body").is_visible()

    taken = time.perf_counter()
    the_team_takes(live_app.app, conversation_id, on_duty)
    page.locator("#talk-status[data-state=active]").wait_for(timeout=REFRESHED_MS)
    assert _navigations(live_app, "/en/talk", taken), "the page refreshed itself"
    _wait_for_line(page, "#talk-log li.talk-event", "A team member is with you now.")

    page.fill("#talk-body", HER_FIRST)
    page.click("#talk-send")
    _wait_for_line(page, "#talk-log li.from-you", HER_FIRST)
    assert page.input_value("#talk-body") == ""

    the_team_writes(live_app.app, conversation_id, on_duty, TEAM_ANSWER)
    assert TEAM_ANSWER not in page.inner_text("#talk-log")
    page.click("#talk-check button[type=submit]")
    _wait_for_line(page, "#talk-log li.from-team", TEAM_ANSWER)

    page.click("#talk-end button[type=submit]")
    page.locator(".return-code .code").wait_for()
    code = page.inner_text(".return-code .code").strip()
    assert CODE.fullmatch(code), code
    assert "You ended the conversation." in page.inner_text("main")
    page.check("input[name=keep][value=yes]")
    page.click("#talk-keep button[type=submit]")
    page.locator("main", has_text="You can read the conversation again in your mailbox").wait_for()
    assert code not in page.content(), "the code is shown once"
    ended = conversation(live_app.app, conversation_id)
    assert (ended.end_reason, ended.in_mailbox) == (EndReason.BY_PERSON, True)

    open_mailbox(page, live_app.url, code)
    transcript = page.locator(".talk-transcript")
    assert transcript.locator("h2").inner_text() == "Your conversation with the team"
    assert _lines(page, ".talk-transcript li.from-you p.body") == [HER_FIRST]
    assert _lines(page, ".talk-transcript li.from-team p.body") == [TEAM_ANSWER]
