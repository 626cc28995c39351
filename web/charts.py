"""Bar and line charts drawn on the server as SVG: no script, no request to
anyone else, and they print.

Each chart is an image with a name: role="img", a <title> and a <desc>
joined by aria-labelledby. Screen readers read those two; the numbers
themselves are in the table the page shows next to every chart. Nothing
depends on colour alone: bars carry their number as text, and each line has
its own dash pattern and its own marker shape, shown with its name in the
legend, so a grey print still tells them apart. Colours and
fonts come from classes (static/css/stats.css, the CSP forbids inline
styles); the presentation attributes here are the fallback when that CSS
is missing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
FONT = 13
BAR_ROW = 28
LABEL_WIDTH = 200
VALUE_WIDTH = 90
# Dash patterns and marker shapes, one pair per line (cycled).
DASHES = ("", "8 4", "2 4", "12 4 2 4")
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed, no bar is drawn
    text: str  # what is written after the bar: "12", "<5", "12 (30 %)"


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]  # None: suppressed, the line breaks there


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_maximum(largest: float) -> tuple[float, float]:
    """A round top for the axis and the step of its grid (1, 2 or 5 times 10^n)."""
    if largest <= 0:
        return 1.0, 1.0
    magnitude = 10 ** math.floor(math.log10(largest / 5)) if largest >= 5 else 1
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if largest / step <= 5:
            return math.ceil(largest / step) * step, step
    return largest, largest  # pragma: no cover - factor 10 always fits


def _open(chart_id: str, title: str, description: str, height: int, kind: str) -> list[str]:
    ident = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" id="{ident}"'
        f' role="img" aria-labelledby="{ident}-title {ident}-desc"'
        f' viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one a row, each with its label before and its number after."""
    top = 8
    height = top + BAR_ROW * max(len(bars), 1) + 8
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    largest = max((b.value for b in bars if b.value is not None), default=0) or 1
    parts = _open(chart_id, title, description, height, "bar")
    parts.append(
        f'<line class="chart-axis" x1="{LABEL_WIDTH}" y1="{top}" x2="{LABEL_WIDTH}"'
        f' y2="{height - 8}" stroke="#1d1d1b"/>'
    )
    for index, bar in enumerate(bars):
        y = top + index * BAR_ROW
        middle = y + BAR_ROW / 2 + FONT / 3
        length = 0 if bar.value is None else area * bar.value / largest
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{middle:.1f}"'
            f' text-anchor="end" font-size="{FONT}">{escape(bar.label)}</text>'
        )
        if length > 0:
            parts.append(
                f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y + 5}" width="{length:.1f}"'
                f' height="{BAR_ROW - 10}" fill="#1f5c99" stroke="#1d1d1b"/>'
            )
        parts.append(
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}"'
            f' font-size="{FONT}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
    else:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    return f'<polygon points="{points}"/>'


def _dash_attribute(index: int) -> str:
    dash = DASHES[index % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of a line: a suppressed point makes a gap."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    lines: Sequence[Line],
) -> Markup:
    """Lines over the months, with a grid and a legend that names each line."""
    legend_height = 22 * len(lines) + 6
    left, right, top, bottom = 48, 24, legend_height + 10, 40
    height = top + 220 + bottom
    plot_width, plot_height = WIDTH - left - right, 220
    largest = max((v for line in lines for v in line.values if v is not None), default=0)
    top_value, step = nice_maximum(largest)
    slots = max(len(x_labels) - 1, 1)

    def x_at(index: int) -> float:
        return left + plot_width * index / slots

    def y_at(value: float) -> float:
        return top + plot_height * (1 - value / top_value)

    parts = _open(chart_id, title, description, height, "line")
    for index, line in enumerate(lines):
        y = 6 + 22 * index + 11
        parts.append(
            f'<g class="chart-series chart-series-{index % len(DASHES)}" fill="#1d1d1b"'
            f' stroke="#1d1d1b">'
            f'<line x1="{left}" y1="{y}" x2="{left + 36}" y2="{y}" stroke-width="2"'
            + _dash_attribute(index)
            + "/>"
            + _marker(MARKERS[index % len(MARKERS)], left + 18, y)
            + "</g>"
            f'<text class="chart-label" x="{left + 44}" y="{y + FONT / 3:.1f}"'
            f' font-size="{FONT}">{escape(line.label)}</text>'
        )
    grid = 0.0
    while grid <= top_value + 1e-9:
        y = y_at(grid)
        parts.append(
            f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{left + plot_width}"'
            f' y2="{y:.1f}" stroke="#b1b4b6"/>'
            f'<text class="chart-tick" x="{left - 6}" y="{y + FONT / 3:.1f}" text-anchor="end"'
            f' font-size="{FONT}">{_number(grid)}</text>'
        )
        grid += step
    # At most about twelve month names fit under the axis; longer periods name every n-th.
    every = max(1, math.ceil(len(x_labels) / 13))
    for index, label in enumerate(x_labels):
        if index % every:
            continue
        parts.append(
            f'<text class="chart-tick" x="{x_at(index):.1f}" y="{top + plot_height + 18}"'
            f' text-anchor="middle" font-size="{FONT - 2}">{escape(label)}</text>'
        )
    for index, line in enumerate(lines):
        points = [
            None if value is None else (x_at(i), y_at(value)) for i, value in enumerate(line.values)
        ]
        parts.append(
            f'<g class="chart-series chart-series-{index % len(DASHES)}" fill="#1d1d1b"'
            f' stroke="#1d1d1b">'
        )
        for run in _runs(points):
            coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke-width="2"'
                + _dash_attribute(index)
                + "/>"
            )
            parts.extend(_marker(MARKERS[index % len(MARKERS)], x, y) for x, y in run)
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
