"""Time from the action (click, third Shift, second Escape) to the neutral site,
in Debian's headless Chromium on loopback. Prints; never passes or fails.

`to navigation start` is the browser's own clock: the input event's time stamp
in the portal page against the neutral page's performance.timeOrigin. `to first
byte` adds the navigation itself (a new renderer process, the request, the
answer). Without JavaScript the link goes through /exit; the browser cannot
time the input event then, so both columns use this process's clock from just
before the click (a few ms of driver overhead included).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from tests.browser.live import LiveApp, NeutralSite, browser_problem, build_app, dispose_app, launch
from tests.browser.scenario import BUDGET_MS, EXIT_WAYS, ExitMeter, press_exit, summary

REPEAT = 15


def _measure(browser, live, neutral, how: str, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        meter = ExitMeter(page, neutral, javascript)
        page.goto(neutral.before_url)
        page.goto(f"{live.url}/en/contact")
        page.fill("main textarea", "typed text")
        meter.arm()
        return meter.measure(how, press_exit(page, how))
    finally:
        context.close()


def main() -> None:
    print(f"quick exit latency, {REPEAT} runs each (ms; budget {BUDGET_MS} to the neutral site)")
    problem = browser_problem()
    if problem:
        print(f"  skipped: {problem}")
        return
    from playwright.sync_api import sync_playwright

    logging.getLogger("fjc.request").disabled = True
    logging.getLogger("werkzeug").disabled = True
    neutral = NeutralSite()
    app = build_app(Path(tempfile.mkdtemp(prefix="fjc-bench-")), neutral.url)
    live = LiveApp(app)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            print(f"  Chromium {browser.version}")
            ways = [(how, True) for how in EXIT_WAYS] + [("button", False)]
            for how, javascript in ways:
                timings = [_measure(browser, live, neutral, how, javascript) for _ in range(REPEAT)]
                label = how if javascript else "link, no JS"
                if javascript:
                    start = [t.to_navigation_start for t in timings]
                    print(f"  {label:<12} to navigation start  {summary(start)}")
                byte = [t.to_first_byte for t in timings]
                print(f"  {label:<12} to first byte        {summary(byte)}")
            browser.close()
    finally:
        live.close()
        neutral.close()
        dispose_app(app)


if __name__ == "__main__":
    main()
