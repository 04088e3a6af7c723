"""Analytics: compute_daily_metrics for one day among 1,000,000 interactions; the 30-day performance query."""

import datetime
import inspect
import io

from django.core.management import call_command
from django.utils import timezone

from bench import datagen, features, people
from bench.report import NOT_BUILT, Figure, ScenarioResult
from bench.runner import timed

NAME = "analytics"
# Names the 30-day performance selector may carry (issue 6); get_daily_metrics is the fallback.
PERFORMANCE_SELECTORS = ("daily_performance", "get_daily_performance", "performance_over_days")


def run(ctx) -> ScenarioResult:
    _prepare(ctx)
    today = timezone.localdate()
    day = today - datetime.timedelta(days=10)
    # Live first (nothing stored yet), then in the steady state where a nightly compute_daily_metrics
    # has stored every past day and only today is computed live.
    floor = Figure(RANGE_SCAN, "ms")
    figures = [_performance_query(ctx, today, "nothing stored", floor=floor), floor]
    figures.append(_compute_daily_metrics(ctx, day))
    if figures[-1].status == "ok":
        since = (today - datetime.timedelta(days=30)).isoformat()
        call_command("compute_daily_metrics", "--since", since, stdout=io.StringIO())
        figures.append(_performance_query(ctx, today, "past days stored"))
    return ScenarioResult(NAME, figures, details={"day": day.isoformat()})


def _prepare(ctx) -> None:
    s = ctx.sizes
    people.queues()
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.truncate_callbot(conn)
        datagen.interactions(conn, s.analytics_interactions, days_min=0, days_max=s.analytics_days)
        datagen.children(conn, messages=0)
        conn.execute("VACUUM ANALYZE")
    ctx.log(f"{s.analytics_interactions:,} interactions over {s.analytics_days} days")


def _compute_daily_metrics(ctx, day) -> Figure:
    figure = Figure("compute_daily_metrics, 1 day", "ms", goal="< 2,000 ms")
    if not features.command_exists("compute_daily_metrics"):
        figure.status = NOT_BUILT
        return figure
    for _ in range(ctx.sizes.runs):
        seconds, _ = timed(
            lambda: call_command("compute_daily_metrics", "--date", day.isoformat(), stdout=io.StringIO())
        )
        figure.values.append(seconds * 1000)
    figure.met = figure.median < 2000
    return figure


RANGE_SCAN = "30-day range scan (floor)"
# The least any live answer must do: read the 30 days' rows once, with the columns the figures need, and
# fold them into one row (no grouping). Timed alternately with the selector: what the hardware allows today.
_RANGE_SCAN_SQL = """
SELECT count(*) FILTER (WHERE status = 'completed'), sum(resolution_time_seconds), max(customer_id)
  FROM interactions
 WHERE created_at >= %(start)s AND created_at < %(end)s
"""


def _range_scan(ctx, date_from, today) -> float:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    with ctx.dbs.callbot(autocommit=True) as conn:
        seconds, _ = timed(lambda: conn.execute(_RANGE_SCAN_SQL, {"start": start, "end": end}).fetchall())
    return seconds * 1000


def _performance_query(ctx, today, state: str, floor: Figure | None = None) -> Figure:
    date_from = today - datetime.timedelta(days=29)
    for name in PERFORMANCE_SELECTORS:
        selector = features.attribute("analytics.selectors", name)
        if selector is not None:
            break
    else:
        name, selector = "get_daily_metrics", features.attribute("analytics.selectors", "get_daily_metrics")
    figure = Figure(f"30-day performance, {state}", "ms", goal="< 300 ms", baseline=floor and floor.label)
    if selector is None:
        figure.status = NOT_BUILT
        return figure
    params = inspect.signature(selector).parameters
    if "days" in params:  # daily_performance(*, days=30, until=None)
        kwargs = {"days": 30, **({"until": today} if "until" in params else {})}
    else:  # get_daily_metrics(*, date_from, date_to)
        kwargs = {"date_from": date_from, "date_to": today}
    for _ in range(ctx.sizes.runs):
        seconds, rows = timed(lambda: list(selector(**kwargs)))
        figure.values.append(seconds * 1000)
        if floor is not None:
            floor.values.append(_range_scan(ctx, date_from, today))
    figure.met = figure.median < 300
    figure.note = f"{name}: {len(rows)} days"
    return figure
