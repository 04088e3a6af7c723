"""The production schedule of the periodic jobs, their locks, and the choice of missed metric days."""

import datetime

import croniter
import pytest
from django.utils import timezone
from procrastinate import periodic
from procrastinate.contrib.django import app

from analytics.services.metrics import days_missing_metrics
from tests.analytics.factories import AnalyticsMetricFactory, at_local, backdate
from tests.interactions.factories import InteractionFactory

DAY = datetime.timedelta(days=1)
PRODUCTION = {
    "handoff.tasks.send_ticket_reminders": "* * * * *",
    "analytics.tasks.compute_yesterday_metrics": "15 0 * * *",
    "analytics.tasks.catch_up_daily_metrics": "*/5 * * * *",
    "analytics.tasks.purge_old_data_nightly": "30 2 * * *",
    "idempotency.tasks.purge_expired_keys": "10 * * * *",
    "callbot_site.tasks.retry_stalled_jobs": "* * * * *",
    "callbot_site.tasks.remove_old_jobs": "45 3 * * *",
}


def _ours() -> dict:
    return {name: entry for (name, _), entry in app.periodic_registry.periodic_tasks.items() if name in PRODUCTION}


def test_each_duty_is_scheduled_at_its_production_time():
    assert {name: entry.cron for name, entry in _ours().items()} == PRODUCTION


def test_the_catch_up_runs_whenever_a_worker_starts():
    """A starting worker defers each schedule's last slot if it is under MAX_DELAY old: the gap must be shorter."""
    cron = croniter.croniter(PRODUCTION["analytics.tasks.catch_up_daily_metrics"], 0)
    slots = [cron.get_next(float) for _ in range(300)]
    assert max(later - earlier for earlier, later in zip(slots, slots[1:], strict=False)) < periodic.MAX_DELAY


def test_runs_of_one_duty_never_overlap_nor_pile_up():
    for name, entry in _ours().items():
        task = entry.task
        assert task.queueing_lock, name
        # The stalled-job sweep has no lock: a stalled run of it must not block the next one.
        assert bool(task.lock) == (name != "callbot_site.tasks.retry_stalled_jobs"), name
    metrics = [
        _ours()[f"analytics.tasks.{n}"].task.lock for n in ("compute_yesterday_metrics", "catch_up_daily_metrics")
    ]
    assert metrics[0] == metrics[1]


def test_only_transient_failures_are_retried():
    purge = _ours()["analytics.tasks.purge_old_data_nightly"].task.retry_strategy
    assert purge.max_attempts and purge.exponential_wait and purge.retry_exceptions
    assert not _ours()["handoff.tasks.send_ticket_reminders"].task.retry_strategy  # the next minute retries


@pytest.mark.django_db
def test_missed_days_are_local_past_days_with_interactions_and_no_metrics():
    today = timezone.localdate()
    just_after_midnight = at_local(today - 2 * DAY, 0, 30)  # still the day before in UTC, summer and winter
    backdate(InteractionFactory(), created_at=just_after_midnight)
    backdate(InteractionFactory(), created_at=at_local(today - 3 * DAY, 9))
    AnalyticsMetricFactory(metric_date=today - 3 * DAY)
    backdate(InteractionFactory(), created_at=at_local(today - 367 * DAY, 9))  # beyond the 366-day bound
    InteractionFactory()  # today: not over yet

    assert days_missing_metrics() == [today - 2 * DAY]
