"""The portal on small screens, in all twelve languages: a cheap phone is 320
CSS px wide, and at 200 % zoom a 360 px phone is 180x320. No page scrolls
sideways, the quick exit fits its button and its bar stops being sticky when
it would hide too much, the start page's first screen holds the numbers to
call and all four doors, everything a thumb taps is 44 px, and the return
code is never broken inside a group."""

from __future__ import annotations

import pytest

from core.infra.config import DEFAULT_LANGUAGES
from tests.browser.portal_visit import (
    OVERFLOW,
    QUICK_EXIT,
    open_mailbox,
    send_empty,
    send_question,
    show,
)

ZOOMED = {"width": 180, "height": 320}  # a 360x640 phone at 200 % zoom
SMALL = {"width": 320, "height": 568}
PHONE = {"width": 360, "height": 640}
TARGET_PX = 44


def _context(browser, viewport, **options):
    context = browser.new_context(locale="en-GB", viewport=viewport, **options)
    context.set_default_timeout(5000)
    return context


class SidewaysCheck:
    """Checks the open page at both widths, starting from the current one and
    leaving the page at the other (one resize per page, not two). With
    `quick_exit`, also that the exit's words stay inside its button."""

    def __init__(self, page):
        self.page = page
        self.size = SMALL
        self.problems: list[str] = []

    def __call__(self, name: str, quick_exit: bool = False, found: object = ...) -> None:
        """`found`: what OVERFLOW found already at the current width."""
        for _ in range(2):
            where = f"{name} at {self.size['width']} px"
            problem = self.page.evaluate(OVERFLOW) if found is ... else found
            found = ...
            if problem:
                self.problems.append(f"{where}: {problem}")
            if quick_exit:
                button = self.page.evaluate(QUICK_EXIT)
                if not button["fits"] or min(button["width"], button["height"]) < TARGET_PX:
                    self.problems.append(f"{where}: the quick exit does not fit: {button}")
            self.size = ZOOMED if self.size is SMALL else SMALL
            self.page.set_viewport_size(self.size)


def test_no_portal_page_scrolls_sideways_at_180_or_320_px_in_any_language(browser, live_app):
    """Every page a visitor can reach without a pending feedback invitation;
    the forms as sent back with every error, which adds to what they show.
    Pages are fetched and written into one tab (portal_visit.show), forms sent
    by clicking, so the test stays fast."""
    url = live_app.url
    context = _context(browser, SMALL)
    try:
        page = context.new_page()
        page.goto(f"{url}/en/")
        check = SidewaysCheck(page)
        code = None
        for lang in DEFAULT_LANGUAGES:
            check(f"/{lang}/", quick_exit=True, found=show(page, f"{url}/{lang}/"))
            for path in ("/question", "/safety", "/nowhere"):
                check(f"/{lang}{path}", found=show(page, f"{url}/{lang}{path}"))
            for path in ("/contact", "/referral", "/young", "/return"):
                send_empty(page, url, f"/{lang}{path}", write=True)
                check(f"/{lang}{path} with errors")
            code = send_question(page, url, lang, write=True)
            check(f"/{lang}/sent")
            # Seen once: nothing to show any more.
            check(f"/{lang}/sent again", found=show(page, f"{url}/{lang}/sent"))
        check("/xx/nowhere", found=show(page, f"{url}/xx/nowhere"))
        open_mailbox(page, url, code)
        for lang in DEFAULT_LANGUAGES:
            for path in ("/return", "/return/delete"):
                found = show(page, f"{url}/{lang}{path}")
                check(f"/{lang}{path} (mailbox open)", found=found)
        assert check.problems == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_the_quick_exit_bar_is_sticky_only_where_it_hides_little(browser, live_app, lang):
    context = _context(browser, ZOOMED)
    try:
        page = context.new_page()
        page.goto(f"{live_app.url}/{lang}/contact")
        sideways = {"width": 640, "height": 360}
        for size, sticky in ((ZOOMED, False), (sideways, False), (SMALL, True), (PHONE, True)):
            page.set_viewport_size(size)
            exit_ = page.evaluate(QUICK_EXIT)
            where = f"{size['width']}x{size['height']}"
            assert exit_["sticky"] is sticky, where
            assert exit_["fits"], where
            if sticky:  # one row: an eighth of the screen at most
                bar = page.evaluate("() => document.querySelector('.portal-header').offsetHeight")
                assert bar <= size["height"] / 8, (where, bar)
    finally:
        context.close()


FIRST_SCREEN = """() => {
  const bottom = (selector) => {
    const el = document.querySelector(selector);
    return el ? el.getBoundingClientRect().bottom : null;
  };
  const h1 = document.querySelector("main h1").getBoundingClientRect();
  const languages = document.querySelector("nav.languages").getBoundingClientRect();
  return {
    "112": bottom("main a[href='tel:112']"),
    "101": bottom("main a[href='tel:101']"),
    "1712": bottom("main a[href='tel:1712']"),
    contact: bottom("main .doors a[href$='/contact']"),
    question: bottom("main .doors a[href$='/question']"),
    young: bottom("main .doors a[href$='/young']"),
    referral: bottom("main .doors a[href$='/referral']"),
    h1_top: h1.top,
    languages_top: languages.top,
  };
}"""


def test_the_start_page_shows_the_numbers_to_call_and_all_four_doors_first(browser, live_app):
    context = _context(browser, PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_app.url}/en/")
        for lang in DEFAULT_LANGUAGES:
            show(page, f"{live_app.url}/{lang}/")
            seen = page.evaluate(FIRST_SCREEN)
            h1_top, languages_top = seen.pop("h1_top"), seen.pop("languages_top")
            below = {what: at for what, at in seen.items() if at is None or at > PHONE["height"]}
            # 112, 101 and 1712, and every door: asking for contact, a
            # question, young people, and a professional's referral.
            assert not below, f"{lang}: below the first screen: {below}"
            # The twelve languages no longer stand above the heading: a link
            # leads to their list at the end of the page.
            assert h1_top < 140, f"{lang}: the heading starts at {h1_top} px"
            assert languages_top > PHONE["height"], lang
    finally:
        context.close()


TARGETS = """() => {
  const size = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const rows = Array.from(document.querySelectorAll("main .choice")).map((row) => {
    const input = row.querySelector("input");
    const label = row.querySelector("label");
    return {
      what: label.textContent.trim(),
      input: size(input),
      label: size(label),
      row: size(row),
    };
  });
  const taps = Array.from(document.querySelectorAll(
    "button, .button, #quick-exit, .portal-links a, nav.languages a, .doors a"
  )).filter((el) => el.offsetParent !== null)
    .map((el) => ({what: el.textContent.trim() || el.outerHTML.slice(0, 60), size: size(el)}));
  return {rows, taps};
}"""


def test_checkboxes_radios_buttons_and_menu_links_are_44_px_targets(browser, live_app):
    context = _context(browser, SMALL)
    try:
        page = context.new_page()
        small = []
        for path in ("/en/", "/de/contact", "/ar/referral", "/en/referral", "/fa/young"):
            page.goto(f"{live_app.url}{path}")
            found = page.evaluate(TARGETS)
            if not path.endswith("/"):
                assert found["rows"], f"{path} has no checkbox or radio rows"
            for row in found["rows"]:
                width, height = row["input"]
                # The box itself is visibly larger than a browser's 13 px...
                if min(width, height) < 28:
                    small.append(f"{path} box of {row['what']!r}: {width}x{height}")
                # ...and its label, tappable too, makes a row of 44 px.
                if row["label"][1] < TARGET_PX or row["row"][1] < TARGET_PX:
                    small.append(f"{path} row of {row['what']!r}: {row}")
            for tap in found["taps"]:
                width, height = tap["size"]
                if height < TARGET_PX or width < TARGET_PX:
                    small.append(f"{path} {tap['what']!r}: {width}x{height}")
        assert small == []
    finally:
        context.close()


CODE_LINES = """() => {
  const code = document.querySelector(".return-code .code");
  const text = code.firstChild;
  // The line each character is on (its top), for the 19 characters.
  const tops = [];
  for (let i = 0; i < text.length; i += 1) {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    tops.push(Math.round(range.getBoundingClientRect().top));
  }
  const lines = [];
  tops.forEach((top, i) => {
    if (!lines.length || lines[lines.length - 1].top !== top) { lines.push({top, text: ""}); }
    lines[lines.length - 1].text += text.data[i];
  });
  return lines.map((line) => line.text.trim());
}"""


def _code_lines_at(page, width: int) -> list[str]:
    """The code's lines once the page is laid out at the new width and stays
    so (up to 2 s): the same lines twice, 50 ms apart, at that width. In CI
    runs the code was measured once at a width between the two, and once at
    the new width with the text still wrapped as at a wider one. Polled from
    here, as page.wait_for_function evaluates strings, which the CSP forbids."""
    lines = None
    for _ in range(40):
        page.wait_for_timeout(50)
        if page.evaluate("() => window.innerWidth") != width:
            continue
        now = page.evaluate(CODE_LINES)
        if now == lines:
            break
        lines = now
    return lines or page.evaluate(CODE_LINES)


@pytest.mark.parametrize("lang", ["en", "ar", "fa"])
def test_the_return_code_stays_on_one_line_at_320_px(browser, live_app, lang):
    context = _context(browser, SMALL)
    try:
        page = context.new_page()
        code = send_question(page, live_app.url, lang)
        assert page.evaluate("document.documentElement.dir") == (
            "rtl" if lang in ("ar", "fa") else "ltr"
        )
        assert page.evaluate(CODE_LINES) == [code], "the code breaks at 320 px"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= SMALL["width"]
        # At 200 % zoom it cannot: then two groups a line, never one alone,
        # and still left to right.
        page.set_viewport_size(ZOOMED)
        groups = code.split(" ")
        assert _code_lines_at(page, ZOOMED["width"]) == [
            " ".join(groups[:2]),
            " ".join(groups[2:]),
        ]
    finally:
        context.close()
