"""Geometry of the "why bots escalate" charts: numbers in, shapes where the numbers say."""

import pytest

from analytics import escalation_charts as charts


def _row(intent: str, code: str, count: int) -> dict:
    return {"intent": intent, "reason_code": code, "reason_label": code.title(), "escalations": count}


def test_stacked_bars_stack_each_intents_reasons_to_its_total():
    rows = [_row("claim", "wrong-intent", 3), _row("claim", "open", 1), _row("", "open", 1)]

    chart = charts.stacked_reasons(rows)

    claim = [rect for rect in chart.rects if rect.title.startswith("claim")]
    assert [rect.css for rect in claim] == ["seg seg-0", "seg seg-1"]  # wrong-intent (3) is the commonest reason
    assert [rect.title for rect in claim] == ["claim · Wrong-Intent: 3", "claim · Open: 1"]
    assert sum(rect.height for rect in claim) == pytest.approx(4 / 5 * charts.PLOT_HEIGHT)  # axis up to 5
    assert claim[1].y + claim[1].height == pytest.approx(claim[0].y)  # open sits on top of wrong-intent
    assert [text.text for text in chart.texts if text.y == charts.HEIGHT - 8] == ["claim", "(no intent)"]
    assert chart.legend == [("seg-0", "Wrong-Intent (wrong-intent)"), ("seg-1", "Open (open)")]


def test_intents_past_the_tenth_are_summed_into_one_bar():
    rows = [_row(f"intent-{index:02d}", "other", 20 - index) for index in range(12)]

    chart = charts.stacked_reasons(rows)

    labels = [text.text for text in chart.texts if text.y == charts.HEIGHT - 8]
    assert len(labels) == charts.MAX_INTENTS and labels[-1] == "(other intents)"
    assert chart.rects[-1].title == "(other intents) · Other: 30"  # 11 + 10 + 9


def test_confidence_bars_are_shares_of_each_group_with_a_median_line():
    groups = [
        {"group": "escalated", "scored": 4, "median": 0.35, "histogram": [0, 0, 0, 4, 0, 0, 0, 0, 0, 0]},
        {"group": "completed", "scored": 2, "median": None, "histogram": [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]},
    ]

    chart = charts.confidence_histograms(groups)

    full = [rect for rect in chart.rects if rect.height == pytest.approx(charts.PLOT_HEIGHT)]
    assert [rect.title for rect in full] == ["escalated, confidence 0.3–0.4: 100%"]
    assert [rect.title for rect in chart.rects if rect.height == pytest.approx(charts.PLOT_HEIGHT / 2)] == [
        "completed, confidence 0.8–0.9: 50%",
        "completed, confidence 0.9–1.0: 50%",
    ]
    [median] = [line for line in chart.lines if "median" in line.css]
    assert median.x1 == pytest.approx(charts.PAD_LEFT + 0.35 * charts.PLOT_WIDTH)


def test_touch_bars_run_to_the_median_and_whiskers_to_the_90th_percentile():
    rows = [
        {"queue": "claims", "p50_minutes": 10.0, "p90_minutes": 40.0},
        {"queue": "general", "p50_minutes": None, "p90_minutes": None},
    ]

    chart = charts.touch_times(rows)

    [bar] = chart.rects
    left = charts.PAD_LEFT + charts.LABEL_WIDTH
    assert bar.width == pytest.approx(10 / 50 * (charts.PLOT_WIDTH - charts.LABEL_WIDTH))  # axis up to 50 min
    whisker = next(line for line in chart.lines if line.css == "whisker")
    assert (whisker.x1, whisker.x2) == pytest.approx((left + bar.width, left + 4 * bar.width))
    assert "nobody touched a ticket yet" in [text.text for text in chart.texts]
