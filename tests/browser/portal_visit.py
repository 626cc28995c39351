"""Steps shared by the screen tests: send a portal form, open the mailbox,
and what the page looks like, measured in the browser.

The measuring functions are passed to page.evaluate as function source: the
portal's CSP forbids the page to evaluate strings itself, not Playwright."""

from __future__ import annotations

import re

CODE = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
SUBMIT = "main form[method=post] [type=submit]"

# Does the page scroll sideways? If so, the elements that stick out (the
# innermost few), for the failure message.
OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) { return null; }
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || box.left < -0.5)
        && !el.closest(".visually-hidden, .hp, .skip-link")) {
      out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") +
               " «" + (el.textContent || "").trim().slice(0, 40) + "»");
    }
  }
  return root.scrollWidth + " > " + width + ": " + out.slice(-3).join(" | ");
}"""

# The quick exit's words inside its button, and whether its bar is sticky.
QUICK_EXIT = """() => {
  const button = document.getElementById("quick-exit");
  const box = button.getBoundingClientRect();
  const words = document.createRange();
  words.selectNodeContents(button);
  const outside = Array.from(words.getClientRects()).some((r) =>
    r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
    r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5);
  return {
    fits: !outside && button.scrollWidth <= button.clientWidth,
    sticky: getComputedStyle(button.closest("header")).position === "sticky",
    width: box.width,
    height: box.height,
  };
}"""


# Fetches a page and writes it into the open document, as exit.js does with
# the answer to a form, then waits until its style sheet applies: several
# times faster than a navigation, for tests that look at many pages. Returns
# the status and what OVERFLOW finds.
WRITE_PAGE = """async (url) => {
  const response = await fetch(url, {credentials: "same-origin"});
  const html = await response.text();
  document.open();
  document.write(html);
  document.close();
  const styled = () => Array.from(document.querySelectorAll("link[rel=stylesheet]"))
    .every((link) => link.sheet && link.sheet.cssRules.length);
  for (let i = 0; i < 100 && !styled(); i += 1) {
    await new Promise((done) => setTimeout(done, 10));
  }
  // No frame to wait for: reading sizes lays the page out.
  return [styled() ? response.status : "unstyled", (OVERFLOW)()];
}""".replace("OVERFLOW", OVERFLOW)


def show(page, url: str) -> str | None:
    """Shows the page at `url` in `page` (which must already show a page of
    the portal: the fetch is same-origin, with the session's cookie). Returns
    why the page scrolls sideways, or None."""
    status, overflow = page.evaluate(WRITE_PAGE, url)
    assert status in (200, 404), (url, status)
    return overflow


def send_question(page, app_url: str, lang: str, *, write: bool = False) -> str:
    """Sends a question; the page then shows the return code. Returns it."""
    if write:
        show(page, f"{app_url}/{lang}/question")
    else:
        page.goto(f"{app_url}/{lang}/question")
    page.fill("main textarea", "When is the office open?")
    page.click(SUBMIT)
    page.wait_for_selector(".return-code .code")
    code = page.text_content(".return-code .code")
    assert code and CODE.fullmatch(code.strip()), code
    return code.strip()


def send_empty(page, app_url: str, path: str, *, write: bool = False) -> None:
    """Sends the form at `path` untouched; the page then lists the problems."""
    if write:
        show(page, f"{app_url}{path}")
    else:
        page.goto(f"{app_url}{path}")
    page.click(SUBMIT)
    page.wait_for_selector(".error-summary")


def open_mailbox(page, app_url: str, code: str) -> None:
    page.goto(f"{app_url}/en/return")
    page.fill("main input[name=code]", code)
    page.click(SUBMIT)
    page.wait_for_selector("main a[href='/en/return/delete']")
