"""compute_daily_metrics: figures on known data, idempotence, the view, the command's input checks."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from analytics.models import AnalyticsMetric
from analytics.services import compute_daily_metrics
from core.errors import InvalidInput
from tests.analytics.factories import at_local, backdate
from tests.crm.factories import CrmActionFactory
from tests.handoff.factories import HandoffTicketFactory, QueueFactory
from tests.interactions.factories import InteractionFactory, ResponseLogFactory

DAY = datetime.date(2026, 3, 10)


def metric(metric_type: str, **dimensions) -> Decimal:
    return AnalyticsMetric.objects.get(metric_date=DAY, metric_type=metric_type, dimensions=dimensions).metric_value


@pytest.fixture
def known_day(db):
    """Four interactions on DAY (2 completed, 1 failed, 1 escalated), one the day before, one after."""
    done_fast = InteractionFactory(customer_id="C1", channel="phone", intent="claim", status="completed")
    backdate(done_fast, created_at=at_local(DAY, 9), resolution_time_seconds=60)
    done_slow = InteractionFactory(customer_id="C1", channel="chat", intent="claim", status="completed")
    backdate(done_slow, created_at=at_local(DAY, 10), resolution_time_seconds=160)
    failed = InteractionFactory(customer_id="C2", channel="phone", intent="address", status="failed")
    backdate(failed, created_at=at_local(DAY, 11), resolution_time_seconds=100)
    escalated = InteractionFactory(customer_id="C3", channel="phone", intent="claim", status="in_progress")
    backdate(escalated, created_at=at_local(DAY, 23, 59))
    for other_day in (DAY - datetime.timedelta(days=1), DAY + datetime.timedelta(days=1)):
        backdate(InteractionFactory(customer_id="C9"), created_at=at_local(other_day, 0, 1))

    ticket = HandoffTicketFactory(interaction=escalated, queue=QueueFactory(name="claims"))
    backdate(
        ticket, created_at=at_local(DAY, 23, 59), assigned_at=at_local(DAY, 23, 59) + datetime.timedelta(minutes=30)
    )
    for interaction, success, ms in ((done_fast, True, 100), (done_slow, True, 300), (failed, False, 200)):
        action = CrmActionFactory(interaction=interaction, action_type="update_address", success=success)
        backdate(action, executed_at=at_local(DAY, 12), execution_time_ms=ms)
    backdate(CrmActionFactory(interaction=failed, action_type="get_customer_info"), executed_at=at_local(DAY, 12))
    for ms in (100, 200, 300, 400, 500, 600, 700, 800, 900, 1000):
        response = ResponseLogFactory(interaction=done_fast, model_used="gpt-4o-mini", execution_time_ms=ms)
        backdate(response, created_at=at_local(DAY, 9))
    return DAY


def test_compute_daily_metrics_stores_the_days_figures(known_day):
    result = compute_daily_metrics(day=known_day)

    assert result.interactions == 4
    assert metric("interactions") == 4
    assert metric("interactions", channel="phone") == 3
    assert metric("interactions", channel="chat") == 1
    assert metric("interactions", intent="claim") == 3
    assert metric("interactions", status="completed") == 2
    assert metric("completed_interactions") == 2
    assert metric("failed_interactions") == 1
    assert metric("escalated_interactions") == 1
    assert metric("completion_rate") == Decimal("0.5")
    assert metric("escalation_rate") == Decimal("0.25")
    assert metric("resolution_seconds_avg") == Decimal("106.6667")
    assert metric("resolution_seconds_p90") == Decimal("148")  # percentile_cont over 60, 100, 160
    assert metric("unique_customers") == 3
    assert metric("tickets", queue="claims") == 1
    assert metric("ticket_wait_minutes_avg", queue="claims") == 30
    assert metric("crm_actions", action_type="update_address") == 3
    assert metric("crm_success_rate", action_type="update_address") == Decimal("0.6667")
    assert metric("crm_execution_ms_avg", action_type="update_address") == 200
    assert metric("crm_actions", action_type="get_customer_info") == 1
    assert metric("responses", model="gpt-4o-mini") == 10
    assert metric("response_latency_ms_avg", model="gpt-4o-mini") == 550
    assert metric("response_latency_ms_p90", model="gpt-4o-mini") == 910
    assert result.rows_written == AnalyticsMetric.objects.filter(metric_date=known_day).count()


def stored_rows() -> list[tuple]:
    return sorted((row.metric_type, str(row.dimensions), row.metric_value) for row in AnalyticsMetric.objects.all())


def test_computing_a_day_twice_leaves_one_row_per_metric_and_dimension_set(known_day):
    compute_daily_metrics(day=known_day)
    first = stored_rows()

    compute_daily_metrics(day=known_day)

    assert stored_rows() == first
    assert len(set(first)) == len(first) == AnalyticsMetric.objects.count()


def test_a_recompute_replaces_stale_dimension_sets(known_day):
    compute_daily_metrics(day=known_day)
    AnalyticsMetric.objects.create(
        metric_date=known_day, metric_type="interactions", dimensions={"channel": "fax"}, metric_value=1
    )

    compute_daily_metrics(day=known_day)

    assert not AnalyticsMetric.objects.filter(dimensions={"channel": "fax"}).exists()


def test_an_empty_day_stores_zero_counts_and_no_averages(db):
    compute_daily_metrics(day=DAY)

    stored = dict(AnalyticsMetric.objects.values_list("metric_type", "metric_value"))
    assert stored == {
        "interactions": 0,
        "completed_interactions": 0,
        "failed_interactions": 0,
        "escalated_interactions": 0,
        "unique_customers": 0,
    }


def test_v_daily_metrics_reads_the_stored_metrics(known_day):
    compute_daily_metrics(day=known_day)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date, total_interactions, completed_interactions, failed_interactions, escalated_interactions,"
            " unique_customers, completion_rate, avg_resolution_seconds FROM v_daily_metrics WHERE metric_date < %s",
            [timezone.localdate()],
        )
        rows = cursor.fetchall()
    assert rows == [(known_day, 4, 2, 1, 1, 3, Decimal("0.5000"), Decimal("106.6667"))]


def test_a_future_day_is_refused(db):
    with pytest.raises(InvalidInput, match="future"):
        compute_daily_metrics(day=timezone.localdate() + datetime.timedelta(days=1))


def test_command_computes_one_date_and_says_so(known_day, capsys):
    call_command("compute_daily_metrics", "--date", known_day.isoformat())

    assert capsys.readouterr().out == f"{known_day}: {AnalyticsMetric.objects.count()} metrics from 4 interactions\n"


def test_command_since_computes_every_day_up_to_today(db, capsys):
    since = timezone.localdate() - datetime.timedelta(days=2)
    call_command("compute_daily_metrics", "--since", since.isoformat())

    assert sorted(set(AnalyticsMetric.objects.values_list("metric_date", flat=True))) == [
        since + datetime.timedelta(days=offset) for offset in range(3)
    ]
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_command_defaults_to_yesterday(db):
    call_command("compute_daily_metrics")

    assert set(AnalyticsMetric.objects.values_list("metric_date", flat=True)) == {
        timezone.localdate() - datetime.timedelta(days=1)
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--date", "10/03/2026"], "is not a date; use YYYY-MM-DD"),
        (["--date", "2026-03-10", "--since", "2026-03-01"], "not allowed with argument"),
        (["--date", "2098-01-01"], "in the future"),
        (["--since", "2098-01-01"], "in the future"),
        (["--date", "2999-01-01"], "allowed: 2000-01-01 to 2099-12-31"),
        (["--since", "2000-01-01"], "at most 366 per run"),
    ],
)
def test_command_refuses_bad_input_clearly(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("compute_daily_metrics", *arguments)
    assert not AnalyticsMetric.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_computes_of_one_day_take_turns_instead_of_colliding():
    day = timezone.localdate() - datetime.timedelta(days=1)
    backdate(InteractionFactory(), created_at=at_local(day, 10))
    errors = []

    def compute():
        try:
            compute_daily_metrics(day=day)
        except Exception as exc:  # noqa: BLE001 - any failure in a thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=compute) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert (
        AnalyticsMetric.objects.filter(metric_date=day, metric_type="interactions", dimensions={}).get().metric_value
        == 1
    )
    assert AnalyticsMetric.objects.filter(metric_date=day).count() == compute_daily_metrics(day=day).rows_written
