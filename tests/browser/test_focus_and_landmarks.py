"""What a keyboard and a screen reader meet: a focus indicator that stands out
from every background it appears on (3:1, WCAG 1.4.11), all content inside a
landmark (as axe's "region" rule asks), and error-summary links that show the
field with its label and error, not hidden under the sticky bar."""

from __future__ import annotations

import re

import pytest

from tests.browser.portal_visit import send_empty, send_question, show

SMALL = {"width": 320, "height": 568}
MIN_CONTRAST = 3.0

# Focuses each element a keyboard reaches, one after the other, and notes what
# its focus style draws around it: the outline and the outer box-shadows, and
# the colour behind the element (the nearest background that is not
# transparent; the canvas is white).
FOCUS_STYLES = """() => {
  const behind = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== "transparent") { return colour; }
    }
    return "rgb(255, 255, 255)";
  };
  const reachable = Array.from(document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea"
  )).filter((el) => el.tabIndex >= 0 && !el.closest("[aria-hidden=true]"));
  const seen = [];
  for (const el of reachable) {
    el.focus();
    if (document.activeElement !== el) { continue; }
    const style = getComputedStyle(el);
    seen.push({
      what: el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + " " +
            (el.id || el.className || el.textContent.trim().slice(0, 30)),
      outline: [style.outlineStyle, style.outlineWidth, style.outlineColor],
      shadow: style.boxShadow,
      behind: behind(el),
    });
  }
  return seen;
}"""

COLOUR = re.compile(r"rgba?\(([^)]*)\)")


def _rgb(text: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in COLOUR.fullmatch(text.strip())[1].replace("/", ",").split(",")]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def _luminance(rgb) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((_luminance(_rgb(one)), _luminance(_rgb(other))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _outer_shadows(shadow: str) -> list[str]:
    """The colours of the box-shadows drawn outside the element, 2 px or more."""
    if shadow in ("", "none"):
        return []
    colours = []
    for part in re.split(r",\s*(?![^()]*\))", shadow):
        colour = COLOUR.search(part)
        lengths = [abs(float(n)) for n in re.findall(r"(-?[\d.]+)px", part)]
        if colour and "inset" not in part and max(lengths, default=0) >= 2:
            colours.append(colour[0])
    return colours


def ring_colours(seen: dict) -> list[str]:
    style, width, colour = seen["outline"]
    colours = _outer_shadows(seen["shadow"])
    if style != "none" and float(width.removesuffix("px")) >= 2 and _rgb(colour)[3] > 0:
        colours.append(colour)
    return [c for c in colours if _rgb(c)[3] > 0]


def test_the_contrast_arithmetic_is_wcag_s():
    assert round(contrast("rgb(255, 191, 71)", "rgb(255, 255, 255)"), 2) == 1.64
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert _outer_shadows("rgb(1, 2, 3) 0px 4px 0px 0px, rgb(4, 5, 6) 0px 0px 0px 2px inset") == [
        "rgb(1, 2, 3)"
    ]


def _weak_focus(page) -> list[str]:
    weak = []
    for seen in page.evaluate(FOCUS_STYLES):
        ratios = [contrast(c, seen["behind"]) for c in ring_colours(seen)]
        if not ratios or max(ratios) < MIN_CONTRAST:
            weak.append(f"{seen['what']}: {[round(r, 2) for r in ratios]} on {seen['behind']}")
    return weak


def test_every_focus_indicator_has_3_to_1_against_what_is_behind_it(browser, live_app):
    """Links on white and on the grey bars, buttons, fields, checkboxes and
    radios, the quick exit; also the back office's sign-in, which shares the
    style sheet and has a black header."""
    context = browser.new_context(locale="en-GB", viewport=SMALL)
    try:
        page = context.new_page()
        weak = []
        for path in ("/en/", "/ar/safety"):
            page.goto(f"{live_app.url}{path}")
            weak += [f"{path} {w}" for w in _weak_focus(page)]
        for path in ("/en/contact", "/en/referral", "/en/young"):
            send_empty(page, live_app.url, path)
            weak += [f"{path} {w}" for w in _weak_focus(page)]
        page.goto(f"{live_app.url}/staff/login")
        weak += [f"/staff/login {w}" for w in _weak_focus(page)]
        assert weak == []
    finally:
        context.close()


# Text outside every landmark, as axe's "region" rule finds it; the skip link
# is allowed there, as axe allows it.
OUTSIDE_LANDMARKS = """() => {
  const LANDMARKS = "header, nav, main, footer, aside, [role=banner], [role=navigation], " +
    "[role=main], [role=contentinfo], [role=complementary], [role=region], [role=search]";
  const outside = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.data.trim() || el.closest("script, style, template")) { continue; }
    if (el.closest(".skip-link")) { continue; }
    if (!el.closest(LANDMARKS)) { outside.push(node.data.trim().slice(0, 60)); }
  }
  return outside;
}"""


def test_every_text_of_a_portal_page_is_inside_a_landmark(browser, live_app):
    url = live_app.url
    context = browser.new_context(locale="en-GB", viewport=SMALL)
    try:
        page = context.new_page()
        page.goto(f"{url}/en/")
        # The safety link in particular (it used to be outside them).
        assert page.evaluate("() => !!document.querySelector('nav a.safety-link')")
        outside = {}

        def look(name: str) -> None:
            found = page.evaluate(OUTSIDE_LANDMARKS)
            if found:
                outside[name] = found

        for lang in ("en", "ar"):
            for path in ("/", "/safety", "/question", "/return", "/nowhere"):
                show(page, f"{url}/{lang}{path}")
                look(f"/{lang}{path}")
            for path in ("/contact", "/referral", "/young"):
                send_empty(page, url, f"/{lang}{path}", write=True)
                look(f"/{lang}{path} with errors")
            send_question(page, url, lang, write=True)
            look(f"/{lang}/sent")
        show(page, f"{url}/xx/nowhere")
        look("/xx/nowhere")
        assert outside == {}
    finally:
        context.close()


# Where the field an error-summary link leads to is, with its label (or
# legend) and its error message, and where the sticky bar ends.
FIELD_IN_VIEW = """(id) => {
  const field = document.getElementById(id);
  const group = field.closest(".field");
  const label = group.querySelector("legend") || document.querySelector("label[for='" + id + "']");
  const error = group.querySelector(".error-message");
  const header = document.querySelector(".portal-header");
  const sticky = getComputedStyle(header).position === "sticky";
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
  return {
    top: sticky ? header.getBoundingClientRect().bottom : 0,
    bottom: window.innerHeight,
    label: box(label),
    error: box(error),
    field: box(field),
  };
}"""


def _settled(page, id_: str) -> dict:
    # A jump to a fragment is instant, but its scroll may land a frame later.
    last = None
    for _ in range(20):
        now = page.evaluate(FIELD_IN_VIEW, id_)
        if now == last:
            return now
        last = now
        page.wait_for_timeout(25)
    return last


@pytest.mark.parametrize(
    ("lang", "javascript", "viewport"),
    [
        ("en", True, SMALL),
        ("de", False, SMALL),
        ("ar", True, {"width": 360, "height": 640}),
    ],
)
def test_an_error_summary_link_shows_the_field_with_its_label_and_error_below_the_bar(
    browser, live_app, lang, javascript, viewport
):
    context = browser.new_context(locale="en-GB", viewport=viewport, java_script_enabled=javascript)
    try:
        page = context.new_page()
        hidden = []
        for path in ("/referral", "/contact"):
            send_empty(page, live_app.url, f"/{lang}{path}")
            links = page.eval_on_selector_all(
                ".error-summary a", "(links) => links.map((a) => a.getAttribute('href'))"
            )
            assert links, path
            for href in links:
                page.evaluate("() => window.scrollTo(0, 0)")
                page.click(f".error-summary a[href='{href}']")
                seen = _settled(page, href[1:])
                label_top, error_bottom = seen["label"][0], seen["error"][1]
                if not (
                    seen["top"] - 1 <= label_top
                    and error_bottom <= seen["bottom"]
                    and seen["field"][0] < seen["bottom"]
                ):
                    hidden.append(f"{path} {href}: {seen}")
        assert hidden == []
    finally:
        context.close()
