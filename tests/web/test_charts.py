"""Server-drawn SVG charts: named images (role, title, desc), numbers and
names as text, lines told apart without colour, nothing fetched or run."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from web.charts import Bar, Line, bar_chart, line_chart, nice_maximum

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))  # noqa: S314 - our own output


def texts(root) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text")]


def assert_named_image(root, chart_id: str, title: str, description: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("id") == chart_id
    title_el, desc_el = root[0], root[1]
    assert (title_el.tag, title_el.text) == (f"{SVG}title", title)
    assert (desc_el.tag, desc_el.text) == (f"{SVG}desc", description)
    assert root.get("aria-labelledby").split() == [title_el.get("id"), desc_el.get("id")]
    assert root.get("viewBox")


def assert_nothing_runs_or_loads(root) -> None:
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}image")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert not any("href" in name for name in element.attrib)


def test_bar_chart_is_a_named_image_with_its_numbers_as_text():
    root = parse(
        bar_chart(
            "chart-places",
            "Requests by municipality",
            "One bar for each municipality.",
            [Bar("Mechelen", 21, "21"), Bar("Lier", 7, "7"), Bar("Duffel", None, "<5")],
        )
    )
    assert_named_image(
        root, "chart-places", "Requests by municipality", "One bar for each municipality."
    )
    assert_nothing_runs_or_loads(root)
    assert texts(root) == ["Mechelen", "21", "Lier", "7", "Duffel", "<5"]
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    # A suppressed count draws no bar: its length would tell the number.
    assert len(bars) == 2
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == pytest.approx(widths[1] * 3, abs=0.5)


def test_text_is_escaped():
    markup = bar_chart("c", 'A & B <"quoted">', "desc </svg>", [Bar("Puurs & <b>", 5, "<5")])
    root = parse(markup)
    assert root[0].text == 'A & B <"quoted">'
    assert root[1].text == "desc </svg>"
    assert texts(root)[0] == "Puurs & <b>"
    assert "<b>" not in str(markup)


def test_line_chart_tells_lines_apart_without_colour():
    lines = [
        Line("Contact", [6, 7, 5]),
        Line("Question", [2, None, 1]),
        Line("Referral", [0, 3, 6]),
    ]
    root = parse(
        line_chart(
            "chart-months", "Requests per month", "Three lines.", ["Jan", "Feb", "Mar"], lines
        )
    )
    assert_named_image(root, "chart-months", "Requests per month", "Three lines.")
    assert_nothing_runs_or_loads(root)
    words = texts(root)
    for label in ("Jan", "Feb", "Mar"):
        assert label in words
    # The legend names each line next to a sample of its dash and marker.
    for name in ("Contact", "Question", "Referral"):
        assert words.count(name) == 1
    groups = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}polyline") is not None]
    dashes = [g.find(f"{SVG}polyline").get("stroke-dasharray") for g in groups]
    assert len(set(dashes)) == 3
    markers = [next(child.tag for child in g if child.tag != f"{SVG}polyline") for g in groups]
    assert len(set(markers)) == 3
    # The suppressed February question breaks the line into two pieces.
    question = groups[1].findall(f"{SVG}polyline")
    assert [len(p.get("points").split()) for p in question] == [1, 1]


def test_line_chart_axis_has_round_numbers():
    root = parse(line_chart("c", "t", "d", ["a", "b"], [Line("x", [3, 37])]))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-tick"]
    assert ticks[:5] == ["0", "10", "20", "30", "40"]


def test_long_periods_name_every_few_months():
    months = [f"m{n}" for n in range(60)]
    root = parse(line_chart("c", "t", "d", months, [Line("x", list(range(60)))]))
    named = [t.text for t in root.iter(f"{SVG}text") if t.text in months]
    assert named == [f"m{n}" for n in range(0, 60, 5)]


@pytest.mark.parametrize(
    ("largest", "expected"),
    [(0, (1, 1)), (3, (3, 1)), (7, (8, 2)), (37, (40, 10)), (130, (150, 50)), (1234, (1500, 500))],
)
def test_nice_maximum(largest, expected):
    assert nice_maximum(largest) == expected
