"""Every control is at least 44 px high (WCAG 2.5.5 target size), never wider
than its column, and shows where the focus is: checked on static/css/site.css
and staff.css (the inputs only staff and partners get are styled there), with a
small parser of its own (plain rules and @media blocks)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from core.infra.config import PROJECT_ROOT

SITE_CSS = PROJECT_ROOT / "static" / "css" / "site.css"
STAFF_CSS = PROJECT_ROOT / "static" / "css" / "staff.css"
ROOT_FONT_PX = 16  # 1rem in every browser unless the reader chose larger
TARGET_PX = 44
CONTROLS = (
    "select",
    "textarea",
    "button",
    ".button",
    ".button-link",
    'input[type="text"]',
    'input[type="tel"]',
    'input[type="email"]',
    'input[type="password"]',
    'input[type="number"]',
    'input[type="date"]',
    'input[type="month"]',
)


@dataclass(frozen=True)
class Rule:
    selectors: tuple[str, ...]
    declarations: dict[str, str]
    media: str | None


def _normal_selector(selector: str) -> str:
    selector = " ".join(selector.split())
    # input[type=date] and input[type="date"] are the same selector.
    return re.sub(r'\[(\w[\w-]*)=([^"\]]+)\]', r'[\1="\2"]', selector.replace("'", '"'))


def parse(css: str, media: str | None = None) -> list[Rule]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, at = [], 0
    while (brace := css.find("{", at)) != -1:
        prelude = css[at:brace].strip()
        depth, end = 1, brace + 1
        while depth:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        body = css[brace + 1 : end - 1]
        if prelude.startswith("@media"):
            rules += parse(body, prelude.removeprefix("@media").strip())
        elif not prelude.startswith("@"):
            declarations = {}
            for declaration in body.split(";"):
                name, colon, value = declaration.partition(":")
                if colon:
                    declarations[name.strip().lower()] = value.strip()
            selectors = tuple(_normal_selector(s) for s in prelude.split(","))
            rules.append(Rule(selectors, declarations, media))
        at = end
    return rules


def to_px(length: str) -> float:
    match = re.fullmatch(r"([\d.]+)(px|rem)", length.strip())
    assert match, f"not a length in px or rem: {length!r}"
    number, unit = float(match[1]), match[2]
    return number * ROOT_FONT_PX if unit == "rem" else number


def min_height(rule: Rule) -> str | None:
    return rule.declarations.get("min-block-size") or rule.declarations.get("min-height")


@pytest.fixture(scope="module")
def screen_rules() -> list[Rule]:
    rules = parse(SITE_CSS.read_text(encoding="utf-8") + STAFF_CSS.read_text(encoding="utf-8"))
    return [r for r in rules if r.media != "print"]


def test_the_parser_reads_rules_media_blocks_and_both_attribute_spellings():
    rules = parse(
        "/* a { x: y } */ a, input[type=date] { min-height: 2.75rem; color: red }"
        "@media print { b { display: none; } }"
    )
    assert [(r.selectors, r.media) for r in rules] == [
        (("a", 'input[type="date"]'), None),
        (("b",), "print"),
    ]
    assert rules[0].declarations == {"min-height": "2.75rem", "color": "red"}
    assert to_px("2.75rem") == TARGET_PX and to_px("44px") == TARGET_PX


def test_one_rule_gives_select_input_and_button_at_least_44_px(screen_rules):
    covering = [
        rule
        for rule in screen_rules
        if {"select", "button"} <= set(rule.selectors)
        and any(s.startswith("input") for s in rule.selectors)
        and min_height(rule)
    ]
    assert covering, "no rule sets a minimum height for select, input and button together"
    assert all(to_px(min_height(rule)) >= TARGET_PX for rule in covering)


@pytest.mark.parametrize("control", CONTROLS)
def test_every_control_is_at_least_44_px_high_and_never_wider_than_its_column(
    screen_rules, control
):
    mine = [rule for rule in screen_rules if control in rule.selectors]
    heights = [to_px(min_height(rule)) for rule in mine if min_height(rule)]
    assert heights and max(heights) >= TARGET_PX, f"{control} has no min-height of 44 px"
    assert any(rule.declarations.get("max-inline-size") == "100%" for rule in mine), (
        f"{control} may overflow a 320 px screen"
    )


@pytest.mark.parametrize("control", ["select", "textarea", "input", "button", "a"])
def test_focus_is_shown_with_a_thick_outline(screen_rules, control):
    outlines = [
        rule.declarations["outline"]
        for rule in screen_rules
        if f"{control}:focus" in rule.selectors and "outline" in rule.declarations
    ]
    assert outlines, f"{control}:focus has no outline"
    for outline in outlines:
        width = re.match(r"([\d.]+px)", outline)
        assert width and to_px(width[1]) >= 2, outline


def test_no_control_gets_a_fixed_width_that_could_overflow(screen_rules):
    for rule in screen_rules:
        if set(rule.selectors) & set(CONTROLS):
            width = rule.declarations.get("inline-size") or rule.declarations.get("width")
            assert width in (None, "100%", "auto"), (rule.selectors, width)


@pytest.mark.parametrize(
    "control",
    ["select", "textarea", "button", ".button", 'input[type="text"]', 'input[type="tel"]'],
)
def test_the_portals_controls_are_styled_by_site_css_alone(control):
    # The portal's pages link site.css only (their weight); staff.css is not there.
    rules = [r for r in parse(SITE_CSS.read_text(encoding="utf-8")) if control in r.selectors]
    assert any(min_height(rule) and to_px(min_height(rule)) >= TARGET_PX for rule in rules)
    assert any(rule.declarations.get("padding") for rule in rules) or control in (
        "button",
        ".button",
    )
