"""The seed's four useful queries on known data, and the live/stored split of daily_performance."""

import datetime

import pytest
from django.utils import timezone

from analytics import selectors
from analytics.models import AnalyticsMetric
from analytics.services import compute_daily_metrics
from core.errors import InvalidInput
from tests.analytics.factories import at_local, backdate
from tests.crm.factories import CrmActionFactory
from tests.handoff.factories import HandoffTicketFactory, QueueFactory
from tests.interactions.factories import InteractionFactory


@pytest.fixture
def today():
    return timezone.localdate()


def test_todays_interactions_are_those_since_local_midnight_newest_first(db, today):
    yesterday = InteractionFactory()
    backdate(yesterday, created_at=at_local(today - datetime.timedelta(days=1), 23, 59))
    morning = InteractionFactory()
    backdate(morning, created_at=at_local(today, 0, 0))  # midnight: never after "now", even at 00:00:30
    now = InteractionFactory()

    assert list(selectors.todays_interactions()) == [now, morning]


def test_top_crm_actions_of_a_day_with_count_average_time_and_success_rate(db, today):
    day = today - datetime.timedelta(days=3)
    for action_type, success, ms in [
        ("update_address", True, 100),
        ("update_address", False, 300),
        ("update_address", True, 200),
        ("check_policy_status", True, 50),
    ]:
        action = CrmActionFactory(action_type=action_type, success=success)
        backdate(action, executed_at=at_local(day, 10), execution_time_ms=ms)
    backdate(CrmActionFactory(action_type="check_policy_status"), executed_at=at_local(today, 10))

    rows = selectors.top_crm_actions(day=day)

    assert rows == [
        {"action_type": "update_address", "count": 3, "avg_execution_ms": 200, "successes": 2, "success_rate": 2 / 3},
        {"action_type": "check_policy_status", "count": 1, "avg_execution_ms": 50, "successes": 1, "success_rate": 1},
    ]


def test_waiting_tickets_come_in_priority_order_with_wait_minutes(db):
    queue = QueueFactory(name="claims", target_wait_minutes=60)
    low = HandoffTicketFactory(priority="low", queue=queue)
    high = HandoffTicketFactory(priority="high", queue=queue)
    medium_old = HandoffTicketFactory(priority="medium", queue=queue)
    backdate(medium_old, created_at=timezone.now() - datetime.timedelta(minutes=20))
    HandoffTicketFactory(status="resolved", resolved_at=timezone.now(), queue=queue)

    rows = list(selectors.waiting_tickets())

    assert rows == [high, medium_old, low]
    assert [row.wait_minutes for row in rows] == [0, 20, 0]


def test_queue_overview_gives_size_and_oldest_wait_per_queue(db):
    claims = QueueFactory(name="claims", target_wait_minutes=5)
    QueueFactory(name="billing")
    old = HandoffTicketFactory(queue=claims)
    backdate(old, created_at=timezone.now() - datetime.timedelta(minutes=42))
    HandoffTicketFactory(queue=claims)

    overview = {row["queue"]: row for row in selectors.queue_overview()}

    assert overview["claims"]["queued"] == 2
    assert overview["claims"]["oldest_wait_minutes"] == 42
    assert overview["claims"]["late"] is True
    assert overview["billing"] == {
        "queue": "billing",
        "queued": 0,
        "oldest_created_at": None,
        "oldest_wait_minutes": None,
        "target_wait_minutes": 5,
        "late": False,
    }


def test_daily_performance_covers_every_day_oldest_first(db, today):
    two_days_ago = today - datetime.timedelta(days=2)
    for status, seconds in (("completed", 100), ("completed", 300), ("failed", 50)):
        interaction = InteractionFactory(status=status, customer_id="C1")
        backdate(interaction, created_at=at_local(two_days_ago, 10), resolution_time_seconds=seconds)
    InteractionFactory(customer_id="C2")

    rows = selectors.daily_performance(days=30)

    assert len(rows) == 30
    assert rows[0]["date"] == today - datetime.timedelta(days=29) and rows[-1]["date"] == today
    assert rows[-3] == {
        "date": two_days_ago,
        "total_interactions": 3,
        "completed": 2,
        "completion_rate": 2 / 3,
        "avg_resolution_seconds": 150.0,
        "unique_customers": 1,
        "source": "live",
    }
    assert rows[-1]["total_interactions"] == 1
    assert rows[-2]["total_interactions"] == 0 and rows[-2]["completion_rate"] is None


def test_daily_performance_reads_stored_days_and_keeps_today_live(db, today):
    yesterday = today - datetime.timedelta(days=1)
    backdate(InteractionFactory(status="completed"), created_at=at_local(yesterday, 9), resolution_time_seconds=10)
    compute_daily_metrics(day=yesterday)
    compute_daily_metrics(day=today)
    # A stored figure differing from the live data proves which source was read.
    AnalyticsMetric.objects.filter(metric_date=yesterday, metric_type="unique_customers").update(metric_value=7)
    InteractionFactory()

    rows = selectors.daily_performance(days=2)

    assert [(row["date"], row["source"]) for row in rows] == [(yesterday, "stored"), (today, "live")]
    assert rows[0]["total_interactions"] == 1 and rows[0]["completed"] == 1
    assert rows[0]["unique_customers"] == 7
    assert rows[1]["total_interactions"] == 1


@pytest.mark.parametrize("days", [0, 367])
def test_daily_performance_refuses_an_out_of_range_span(db, days):
    with pytest.raises(InvalidInput, match="allowed: 1 to 366"):
        selectors.daily_performance(days=days)


def test_daily_performance_computes_days_around_a_stored_one_in_one_live_query(db, today, django_assert_num_queries):
    three_days_ago, two_days_ago, yesterday = (today - datetime.timedelta(days=n) for n in (3, 2, 1))
    for day, customer, status, seconds in [
        (three_days_ago, "C1", "completed", 100),
        (three_days_ago, "C1", "failed", None),
        (three_days_ago, "C2", "completed", 200),
        (two_days_ago, "C3", "completed", 10),
        (yesterday, "C1", "in_progress", None),
    ]:
        interaction = InteractionFactory(customer_id=customer, status=status)
        backdate(interaction, created_at=at_local(day, 12), resolution_time_seconds=seconds)
    compute_daily_metrics(day=two_days_ago)

    with django_assert_num_queries(2):  # the stored days, then every missing day at once
        rows = selectors.daily_performance(days=4)

    figures = [
        (row["date"], row["source"], row["total_interactions"], row["completed"], row["unique_customers"])
        for row in rows
    ]
    assert figures == [
        (three_days_ago, "live", 3, 2, 2),
        (two_days_ago, "stored", 1, 1, 1),
        (yesterday, "live", 1, 0, 1),
        (today, "live", 0, 0, 0),
    ]
    assert rows[0]["avg_resolution_seconds"] == 150.0 and rows[2]["avg_resolution_seconds"] is None
