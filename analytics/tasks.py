"""Jobs of analytics (procrastinate; docs/deployment.md, "Background jobs").

The services of `manage.py compute_daily_metrics` and `manage.py purge_old_data`. The two metrics jobs
share one lock, so they take turns; the queueing locks keep a late worker from piling runs up. What can
fail for a moment (a lost connection, a purge batch that could not lock its rows) is retried with an
exponential backoff; anything else fails at once and shows as failed in the admin.
"""

import datetime

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from analytics.services import compute_daily_metrics
from analytics.services.metrics import days_missing_metrics, days_to_compute
from analytics.services.retention import purge_old_data
from core.errors import Conflict

SCHEDULES = settings.BACKGROUND_JOB_SCHEDULES
METRICS_LOCK = "analytics.daily_metrics"
PURGE_LOCK = "analytics.purge_old_data"
TRANSIENT = (OperationalError, InterfaceError)


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
