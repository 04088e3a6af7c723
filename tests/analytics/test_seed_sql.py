"""The seed's SQL, verbatim, against a migrated database with data (tables, views and column names are the seed's).

The seed document itself is not in this repository; its statements are copied here as the issues quote them.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from analytics.models import AnalyticsMetric
from analytics.services import compute_daily_metrics
from tests.analytics.factories import at_local, backdate
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

SEED_DAILY_METRICS = "SELECT * FROM v_daily_metrics WHERE metric_date >= CURRENT_DATE - INTERVAL '7 days';"
SEED_VIEWS = [
    "SELECT * FROM v_interactions_with_last_message;",
    "SELECT * FROM v_handoff_tickets_full;",
    "SELECT * FROM v_daily_metrics;",
]
FIGURES = [
    "total_interactions",
    "completed_interactions",
    "failed_interactions",
    "avg_resolution_seconds",
    "unique_customers",
    "escalated_interactions",
    "completion_rate",
    "escalation_rate",
    "p90_resolution_seconds",
]
STORED_NAME = {  # v_daily_metrics column → analytics_metrics.metric_type
    "total_interactions": "interactions",
    "avg_resolution_seconds": "resolution_seconds_avg",
    "p90_resolution_seconds": "resolution_seconds_p90",
}


def rows_of(sql: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stored_figures(day: datetime.date) -> dict:
    stored = dict(
        AnalyticsMetric.objects.filter(metric_date=day, dimensions={}).values_list("metric_type", "metric_value")
    )
    return {column: stored.get(STORED_NAME.get(column, column)) for column in FIGURES}


@pytest.fixture
def week(db):
    """Yesterday: 2 interactions (1 completed in 100 s); today: 3 (1 completed in 40 s, 1 failed, 1 escalated)."""
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    done = InteractionFactory(customer_id="C1", status="completed")
    backdate(done, created_at=at_local(yesterday, 0, 5), resolution_time_seconds=100)
    backdate(InteractionFactory(customer_id="C2"), created_at=at_local(yesterday, 0, 6))
    today_done = InteractionFactory(customer_id="C1", status="completed")
    backdate(today_done, created_at=at_local(today, 0, 1), resolution_time_seconds=40)
    backdate(InteractionFactory(customer_id="C3", status="failed"), created_at=at_local(today, 0, 2))
    escalated = InteractionFactory(customer_id="C3", status="in_progress")
    backdate(escalated, created_at=at_local(today, 0, 3))
    HandoffTicketFactory(interaction=escalated)
    ConversationMessageFactory(interaction=escalated, message="Je veux parler à quelqu'un.")
    compute_daily_metrics(day=yesterday)
    return yesterday, today


def test_the_seeds_weekly_query_runs_verbatim_with_past_days_stored_and_today_live(week):
    yesterday, today = week

    rows = {row["metric_date"]: row for row in rows_of(SEED_DAILY_METRICS)}

    assert set(rows) == {yesterday, today}
    assert {column: rows[yesterday][column] for column in FIGURES} == stored_figures(yesterday)
    assert rows[today]["date"] == today
    assert (rows[today]["total_interactions"], rows[today]["completed_interactions"]) == (3, 1)
    assert (rows[today]["failed_interactions"], rows[today]["escalated_interactions"]) == (1, 1)
    assert rows[today]["unique_customers"] == 2
    assert rows[today]["completion_rate"] == Decimal("0.3333")


def test_todays_live_row_has_the_stored_definitions_and_rounding(week):
    """Stored today would read the same: compute today into analytics_metrics and compare, column by column."""
    _, today = week
    compute_daily_metrics(day=today)

    [live] = [row for row in rows_of(SEED_DAILY_METRICS) if row["metric_date"] == today]

    assert {column: live[column] for column in FIGURES} == stored_figures(today)


def test_today_has_a_row_even_before_anything_happened(db):
    [row] = rows_of(SEED_DAILY_METRICS)

    assert row["metric_date"] == timezone.localdate()
    assert (row["total_interactions"], row["completion_rate"], row["avg_resolution_seconds"]) == (0, None, None)


@pytest.mark.parametrize("statement", SEED_VIEWS)
def test_the_seeds_views_run_verbatim(week, statement):
    rows = rows_of(statement)

    assert rows, statement
