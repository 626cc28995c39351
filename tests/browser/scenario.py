"""The visit the browser tests and the exit benchmark act out, and how the
time from the action to the neutral site is measured."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

EXIT_WAYS = ("button", "shift", "escape")
# The event after which the portal must be gone, per way of leaving: the click,
# the release of the third Shift, the second Escape going down.
DECIDING_EVENT = {"button": "click", "shift": "keyup", "escape": "keydown"}
BUDGET_MS = 100

# Test instrumentation, not part of the app: notes in the browser's own clock
# when each input event reached the page.
PROBE = """() => {
  for (const type of ["keydown", "keyup", "click"]) {
    window.addEventListener(type, (event) => {
      console.log("fjc-probe " + type + " " + (performance.timeOrigin + event.timeStamp));
    }, true);
  }
}"""
NAVIGATION = """() => {
  const entry = performance.getEntriesByType("navigation")[0];
  return [performance.timeOrigin, entry.responseStart];
}"""


def visit_and_type(page, app_url: str, before_url: str, secret: str) -> int:
    """A neutral page first, then the portal's start page typed in the address
    bar, two navigations inside the portal (a link, then the form sent with a
    mistake) and text typed into the form. Returns history.length on arrival."""
    page.goto(before_url)
    page.goto(f"{app_url}/en/")
    arrived = page.evaluate("history.length")
    page.click("main a[href='/en/contact']")
    page.wait_for_url(f"{app_url}/en/contact")
    page.fill("main textarea", secret)
    page.fill("main input[type=email]", "not an e-mail address")
    page.click("main form[method=post] [type=submit]")
    page.wait_for_selector(".error-summary")
    page.fill("main textarea", f"{secret}, typed again")
    return arrived


def visit_by_links_and_type(page, app_url: str, before_url: str, secret: str) -> None:
    """The same with two links (for pages without JavaScript, where a sent
    form would stay in the history entry)."""
    page.goto(before_url)
    page.goto(f"{app_url}/en/")
    page.click("main a[href='/en/contact']")
    page.wait_for_url(f"{app_url}/en/contact")
    page.click("nav a[hreflang='nl']")
    page.wait_for_url(f"{app_url}/nl/contact")
    page.fill("main textarea", secret)


def press_exit(page, how: str) -> float:
    """Leave the portal one way; returns time.perf_counter() just before the
    deciding action (the click, the third Shift, the second Escape)."""
    if how == "button":
        box = page.locator("#quick-exit").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        started = time.perf_counter()
        page.mouse.click(x, y)
        return started
    key, times = {"shift": ("Shift", 3), "escape": ("Escape", 2)}[how]
    for _ in range(times - 1):
        page.keyboard.press(key)
    started = time.perf_counter()
    page.keyboard.press(key)
    return started


@dataclass
class Timing:
    """Milliseconds from the action to the neutral site."""

    to_navigation_start: float | None  # browser clock; None without JavaScript
    to_first_byte: float  # browser clock with JavaScript, else the test's clock
    to_request: float  # the test's clock: the neutral site got the request


class ExitMeter:
    """Measures one exit: call `arm` before the action, `measure` after it."""

    def __init__(self, page, neutral_site, javascript: bool = True):
        self.page = page
        self.neutral_site = neutral_site
        self.javascript = javascript
        self.events: list[tuple[str, float]] = []
        page.on("console", self._note)

    def _note(self, message) -> None:
        parts = message.text.split()
        if len(parts) == 3 and parts[0] == "fjc-probe":
            self.events.append((parts[1], float(parts[2])))

    def arm(self) -> None:
        self.events.clear()
        if self.javascript:
            self.page.evaluate(PROBE)

    def measure(self, how: str, started: float) -> Timing:
        arrived = self.neutral_site.wait_for_navigation(since=started)
        self.page.wait_for_url(self.neutral_site.url)
        to_request = (arrived - started) * 1000
        if not self.javascript:
            return Timing(None, to_request, to_request)
        origin, first_byte = self.page.evaluate(NAVIGATION)
        actions = [at for kind, at in self.events if kind == DECIDING_EVENT[how]]
        assert actions, f"the page never saw the {DECIDING_EVENT[how]} event"
        action = actions[-1]
        return Timing(origin - action, origin + first_byte - action, to_request)


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"median {statistics.median(ordered):6.1f}  p90 {p90:6.1f}  max {ordered[-1]:6.1f}"
