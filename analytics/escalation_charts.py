"""Geometry of the "why bots escalate" charts: report rows in, positioned SVG shapes out (no I/O).

Like analytics/charts.py, this only scales numbers into a viewBox; the template
(admin/analytics/chart_shapes.svg.html) draws the rectangles, lines and texts, colouring them by
CSS class (the Content-Security-Policy allows no inline style).
"""

from dataclasses import dataclass, field

from analytics.charts import HEIGHT, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT, PAD_TOP, WIDTH, nice_ceiling

MAX_INTENTS = 10  # more intents than this are summed into one last bar
SEGMENT_COLOURS = 8  # CSS classes seg-0 … seg-7, reused in turn
MAX_BAR_WIDTH = 64  # a few intents would otherwise give slabs
PLOT_WIDTH = WIDTH - PAD_LEFT - PAD_RIGHT
PLOT_HEIGHT = HEIGHT - PAD_TOP - PAD_BOTTOM
BASELINE = HEIGHT - PAD_BOTTOM


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "axis"


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Shapes:
    height: int = HEIGHT
    width: int = WIDTH
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)


def _y(value: float, maximum: float) -> float:
    return BASELINE - value / maximum * PLOT_HEIGHT


def _vertical_axis(chart: Shapes, maximum: float, text=lambda value: f"{value:g}") -> None:
    chart.lines.append(Line(PAD_LEFT, BASELINE, WIDTH - PAD_RIGHT, BASELINE))
    for fraction in (0, 0.5, 1):
        chart.texts.append(Text(PAD_LEFT - 6, _y(maximum * fraction, maximum) + 4, text(maximum * fraction), "end"))


def intent_label(intent: str) -> str:
    return intent or "(no intent)"


def _short(text: str, length: int = 16) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _intent_totals(rows: list[dict]) -> list[tuple[str, dict[str, int]]]:
    """(intent, {reason code: count}) by total, largest first; past MAX_INTENTS summed as 'other intents'."""
    by_intent: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = by_intent.setdefault(intent_label(row["intent"]), {})
        counts[row["reason_code"]] = counts.get(row["reason_code"], 0) + row["escalations"]
    ordered = sorted(by_intent.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    if len(ordered) <= MAX_INTENTS:
        return ordered
    rest: dict[str, int] = {}
    for _, counts in ordered[MAX_INTENTS - 1 :]:
        for code, count in counts.items():
            rest[code] = rest.get(code, 0) + count
    return [*ordered[: MAX_INTENTS - 1], ("(other intents)", rest)]


def reason_colours(rows: list[dict]) -> dict[str, str]:
    """A CSS class per reason code, the most frequent reason first (the same in the chart and its table)."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["reason_code"]] = totals.get(row["reason_code"], 0) + row["escalations"]
    ordered = sorted(totals, key=lambda code: (-totals[code], code))
    return {code: f"seg-{index % SEGMENT_COLOURS}" for index, code in enumerate(ordered)}


def stacked_reasons(rows: list[dict]) -> Shapes:
    """One bar per intent, stacked by resolution reason."""
    colours = reason_colours(rows)
    labels = {row["reason_code"]: row["reason_label"] for row in rows}
    intents = _intent_totals(rows)
    maximum = nice_ceiling(max((sum(counts.values()) for _, counts in intents), default=0))
    chart = Shapes(legend=[(css, f"{labels[code]} ({code})") for code, css in colours.items()])
    _vertical_axis(chart, maximum)
    slot = PLOT_WIDTH / max(len(intents), 1)
    bar_width = min(slot * 0.6, MAX_BAR_WIDTH)
    for index, (intent, counts) in enumerate(intents):
        x, top = PAD_LEFT + slot * (index + 0.5) - bar_width / 2, 0
        for code in colours:  # the same stacking order in every bar
            if not counts.get(code):
                continue
            height = counts[code] / maximum * PLOT_HEIGHT
            title = f"{intent} · {labels[code]}: {counts[code]}"
            chart.rects.append(Rect(x, BASELINE - top - height, bar_width, height, f"seg {colours[code]}", title))
            top += height
        chart.texts.append(Text(PAD_LEFT + slot * (index + 0.5), HEIGHT - 8, _short(intent)))
    return chart


def confidence_histograms(groups: list[dict]) -> Shapes:
    """Per 0.1 of confidence, the share of each group's scored interactions, side by side; medians marked."""
    shares = {
        group["group"]: [count / group["scored"] if group["scored"] else 0 for count in group["histogram"]]
        for group in groups
    }
    maximum = min(1, nice_ceiling(100 * max((max(values) for values in shares.values()), default=0)) / 100)
    chart = Shapes(legend=[(f"grp-{name}", name) for name in shares])
    _vertical_axis(chart, maximum, text=lambda value: f"{value:.0%}")
    buckets = len(groups[0]["histogram"]) if groups else 0
    slot = PLOT_WIDTH / max(buckets, 1)
    width = slot * 0.8 / max(len(shares), 1)
    for bucket in range(buckets):
        for offset, (name, values) in enumerate(shares.items()):
            height = values[bucket] / maximum * PLOT_HEIGHT
            x = PAD_LEFT + slot * bucket + slot * 0.1 + width * offset
            title = f"{name}, confidence {bucket / buckets:.1f}–{(bucket + 1) / buckets:.1f}: {values[bucket]:.0%}"
            chart.rects.append(Rect(x, BASELINE - height, width, height, f"grp-{name}", title))
    for edge in range(buckets + 1):  # ticks on the buckets' edges, the scale the median lines use
        chart.texts.append(Text(PAD_LEFT + slot * edge, HEIGHT - 8, f"{edge / buckets:.1f}"))
    for row, group in enumerate(groups):
        if group["median"] is None:
            continue
        x = PAD_LEFT + group["median"] * PLOT_WIDTH
        chart.lines.append(Line(x, PAD_TOP, x, BASELINE, f"median grp-{group['group']}"))
        label = f"median {group['group']} {group['median']:.2f}"
        if group["median"] > 0.5:  # written towards the middle, so that it stays inside the chart
            chart.texts.append(Text(x - 4, PAD_TOP + 10 + 12 * row, label, "end"))
        else:
            chart.texts.append(Text(x + 4, PAD_TOP + 10 + 12 * row, label, "start"))
    return chart


ROW_HEIGHT = 26
LABEL_WIDTH = 120


def touch_times(rows: list[dict]) -> Shapes:
    """One horizontal bar per queue: the median minutes to the first touch, a whisker on to the 90th percentile."""
    touched = [row for row in rows if row["p50_minutes"] is not None]
    maximum = nice_ceiling(max((row["p90_minutes"] for row in touched), default=0))
    height = PAD_TOP + PAD_BOTTOM + ROW_HEIGHT * max(len(rows), 1)
    left, width = PAD_LEFT + LABEL_WIDTH, PLOT_WIDTH - LABEL_WIDTH

    def x(minutes: float) -> float:
        return left + minutes / maximum * width

    chart = Shapes(height=height, legend=[("touch", "median"), ("whisker", "to the 90th percentile")])
    chart.lines.append(Line(left, height - PAD_BOTTOM, left + width, height - PAD_BOTTOM))
    for fraction in (0, 0.5, 1):
        chart.texts.append(Text(x(maximum * fraction), height - 8, f"{maximum * fraction:g} min"))
    for index, row in enumerate(rows):
        top = PAD_TOP + ROW_HEIGHT * index
        chart.texts.append(Text(left - 6, top + ROW_HEIGHT / 2 + 4, _short(row["queue"]), "end"))
        if row["p50_minutes"] is None:
            chart.texts.append(Text(left + 4, top + ROW_HEIGHT / 2 + 4, "nobody touched a ticket yet", "start"))
            continue
        p50, p90 = row["p50_minutes"], row["p90_minutes"]
        title = f"{row['queue']}: median {p50:.1f} min, 90th percentile {p90:.1f} min"
        chart.rects.append(Rect(left, top + 6, x(p50) - left, ROW_HEIGHT - 12, "touch", title))
        chart.lines.append(Line(x(p50), top + ROW_HEIGHT / 2, x(p90), top + ROW_HEIGHT / 2, "whisker"))
        chart.lines.append(Line(x(p90), top + 8, x(p90), top + ROW_HEIGHT - 8, "whisker"))
    return chart
