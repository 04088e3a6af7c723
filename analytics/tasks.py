"""Jobs of analytics (procrastinate; docs/deployment.md, "Background jobs").

The services of `manage.py compute_daily_metrics` and `manage.py purge_old_data`. The two metrics jobs
share one lock, so they take turns; the queueing locks keep a late worker from piling runs up. What can
fail for a moment (a lost connection, a purge batch that could not lock its rows) is retried with an
exponential backoff; anything else fails at once and shows as failed in the admin.
"""

import datetime

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from analytics.services import compute_daily_metrics
from analytics.services.metrics import MAX_DAYS_PER_RUN, days_to_compute
from analytics.services.retention import purge_old_data
from core.errors import Conflict

SCHEDULES = settings.BACKGROUND_JOB_SCHEDULES
METRICS_LOCK = "analytics.daily_metrics"
PURGE_LOCK = "analytics.purge_old_data"
TRANSIENT = (OperationalError, InterfaceError)

# One probe of each index per day: interactions.created_at and analytics_metrics' (metric_date, …) key.
# Day bounds are local midnights of the project's time zone, as in compute_daily_metrics.
_MISSING_DAYS_SQL = """
SELECT day::date
  FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS day
 WHERE EXISTS (SELECT 1 FROM interactions i
                WHERE i.created_at >= day::date::timestamp AT TIME ZONE %(tz)s
                  AND i.created_at < (day::date + 1)::timestamp AT TIME ZONE %(tz)s)
   AND NOT EXISTS (SELECT 1 FROM analytics_metrics m WHERE m.metric_date = day::date)
 ORDER BY 1
"""


def days_missing_metrics() -> list[datetime.date]:
    """Past days (at most MAX_DAYS_PER_RUN back) that have interactions but no stored metrics."""
    today = timezone.localdate()
    bounds = {
        "first": today - datetime.timedelta(days=MAX_DAYS_PER_RUN),
        "last": today - datetime.timedelta(days=1),
        "tz": timezone.get_current_timezone_name(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_MISSING_DAYS_SQL, bounds)
        return [day for (day,) in cursor.fetchall()]


@app.periodic(cron=SCHEDULES["daily_metrics"])
@app.task(
    lock=METRICS_LOCK,
    queueing_lock="analytics.compute_yesterday_metrics",
    retry=RetryStrategy(max_attempts=5, exponential_wait=5, retry_exceptions=TRANSIENT),  # 5 s … 52 min
)
def compute_yesterday_metrics(timestamp: int) -> str:
    """Recompute the day before the slot: it replaces figures stored while that day was still running."""
    slot_day = timezone.localdate(datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC))
    [day] = days_to_compute(day=slot_day - datetime.timedelta(days=1))
    result = compute_daily_metrics(day=day)
    return f"{day}: {result.rows_written} metrics from {result.interactions} interactions"


@app.periodic(cron=SCHEDULES["metrics_catch_up"])
@app.task(
    lock=METRICS_LOCK,
    queueing_lock="analytics.catch_up_daily_metrics",
    retry=RetryStrategy(max_attempts=5, exponential_wait=5, retry_exceptions=TRANSIENT),
)
def catch_up_daily_metrics(timestamp: int) -> str:
    """Compute every missed day (a worker down over midnight, a new installation); nothing when none is missing."""
    days = days_missing_metrics()
    for day in days:
        compute_daily_metrics(day=day)
    return f"{len(days)} missed day(s) computed" + (f", {days[0]} to {days[-1]}" if days else "")


@app.periodic(cron=SCHEDULES["purge_old_data"])
@app.task(
    lock=PURGE_LOCK,
    queueing_lock=PURGE_LOCK,
    # Conflict: a batch could not lock its rows in time; the batches done stay deleted. 10 s … 2.8 h.
    retry=RetryStrategy(max_attempts=4, exponential_wait=10, retry_exceptions=(*TRANSIENT, Conflict)),
)
def purge_old_data_nightly(timestamp: int) -> str:
    report = purge_old_data(days=settings.DATA_RETENTION_DAYS)
    return (
        f"{report.interactions} interaction(s) older than {settings.DATA_RETENTION_DAYS} days deleted "
        f"in {report.batches} batch(es); {report.kept_with_open_ticket} kept with an open ticket."
    )
