"""Geometry of the dashboard's server-side SVG charts: numbers in, coordinates out (no I/O, no CDN).

The template draws the shapes; this module only scales values into a viewBox, so charts are
plain SVG elements that render without JavaScript and print as they look.
"""

import math
from dataclasses import dataclass, field

WIDTH = 720
HEIGHT = 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 44, 12, 28


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass
class Tick:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    line_points: str = ""
    dots: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    left_ticks: list[Tick] = field(default_factory=list)
    right_ticks: list[Tick] = field(default_factory=list)
    baseline: float = HEIGHT - PAD_BOTTOM
    plot_left: float = PAD_LEFT
    plot_right: float = WIDTH - PAD_RIGHT


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/5 × 10^n at or above value (axis maximum), at least 1."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _slots(count: int) -> tuple[float, float]:
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(count, 1)
    return slot, slot * 0.7


def _y(value: float, maximum: float) -> float:
    return HEIGHT - PAD_BOTTOM - (value / maximum) * (HEIGHT - PAD_TOP - PAD_BOTTOM)


def _left_ticks(maximum: float, unit: str = "") -> list[Tick]:
    return [Tick(PAD_LEFT - 6, _y(maximum * f, maximum) + 4, f"{maximum * f:g}{unit}") for f in (0, 0.5, 1)]


def _x_ticks(labels: list[str], every: int) -> list[Tick]:
    slot, _ = _slots(len(labels))
    count = len(labels)
    return [
        Tick(PAD_LEFT + slot * (i + 0.5), HEIGHT - 8, label)
        for i, label in enumerate(labels)
        if (count - 1 - i) % every == 0
    ]


def bars_with_rate_line(labels: list[str], counts: list[int], rates: list[float | None]) -> Chart:
    """Bars of counts (left axis) and a 0–100 % line of rates (right axis); None rates leave a gap in dots."""
    maximum = nice_ceiling(max(counts, default=0))
    slot, bar_width = _slots(len(labels))
    chart = Chart(x_ticks=_x_ticks(labels, every=5), left_ticks=_left_ticks(maximum))
    chart.right_ticks = [Tick(WIDTH - PAD_RIGHT + 6, _y(f, 1) + 4, f"{f:.0%}") for f in (0, 0.5, 1)]
    points = []
    for i, (label, count, rate) in enumerate(zip(labels, counts, rates, strict=True)):
        x = PAD_LEFT + slot * i + (slot - bar_width) / 2
        top = _y(count, maximum)
        chart.bars.append(Bar(x, top, bar_width, chart.baseline - top, label, str(count)))
        if rate is not None:
            center = PAD_LEFT + slot * (i + 0.5)
            points.append(f"{center:.1f},{_y(rate, 1):.1f}")
            chart.dots.append(Tick(center, _y(rate, 1), f"{label}: {rate:.0%} completed"))
    chart.line_points = " ".join(points)
    return chart


def line(labels: list[str], values: list[float | None], unit: str = "") -> Chart:
    """A single series (left axis), days without a value skipped."""
    maximum = nice_ceiling(max((v for v in values if v is not None), default=0))
    slot, _ = _slots(len(labels))
    chart = Chart(x_ticks=_x_ticks(labels, every=5), left_ticks=_left_ticks(maximum, unit))
    points = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        if value is None:
            continue
        center = PAD_LEFT + slot * (i + 0.5)
        points.append(f"{center:.1f},{_y(value, maximum):.1f}")
        chart.dots.append(Tick(center, _y(value, maximum), f"{label}: {value:.0f}{unit}"))
    chart.line_points = " ".join(points)
    return chart


def horizontal_share(value: float, maximum: float) -> int:
    """Width in percent of a table cell's bar."""
    return round(100 * value / maximum) if maximum else 0
