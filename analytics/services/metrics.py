"""Daily metrics: aggregate one day of activity into `analytics_metrics`.

A day is a calendar day in the project's time zone. Each family of figures is one set-wise
SQL query served by an index on its time column (interactions.created_at, crm_actions.executed_at,
response_logs.created_at); tickets are reached through the day's interactions. A recompute
replaces the day's rows in one transaction, so it is idempotent and drops stale dimension sets.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from analytics.models import AnalyticsMetric
from analytics.selectors import day_bounds
from core.errors import InvalidInput

MAX_DAYS_PER_RUN = 366

# Names of the stored metrics (dimensions in brackets). The dimensionless ones feed v_daily_metrics.
INTERACTIONS = "interactions"  # {} | {channel} | {intent} | {status}
COMPLETED = "completed_interactions"
FAILED = "failed_interactions"
ESCALATED = "escalated_interactions"
COMPLETION_RATE = "completion_rate"  # completed / total, 0..1
ESCALATION_RATE = "escalation_rate"  # interactions with a handoff ticket / total, 0..1
RESOLUTION_AVG = "resolution_seconds_avg"
RESOLUTION_P90 = "resolution_seconds_p90"
UNIQUE_CUSTOMERS = "unique_customers"
TICKETS = "tickets"  # {queue}
TICKET_WAIT_AVG = "ticket_wait_minutes_avg"  # {queue}
TICKET_WAIT_P90 = "ticket_wait_minutes_p90"  # {queue}
CRM_ACTIONS = "crm_actions"  # {action_type}
CRM_SUCCESS_RATE = "crm_success_rate"  # {action_type}
CRM_TIME_AVG = "crm_execution_ms_avg"  # {action_type}
RESPONSES = "responses"  # {model}
RESPONSE_LATENCY_AVG = "response_latency_ms_avg"  # {model}
RESPONSE_LATENCY_P90 = "response_latency_ms_p90"  # {model}

_OVERALL_SQL = """
SELECT count(*),
       count(*) FILTER (WHERE i.status = 'completed'),
       count(*) FILTER (WHERE i.status = 'failed'),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM handoff_tickets t WHERE t.interaction_id = i.interaction_id)),
       avg(i.resolution_time_seconds),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY i.resolution_time_seconds),
       count(DISTINCT i.customer_id)
  FROM interactions i
 WHERE i.created_at >= %(start)s AND i.created_at < %(end)s
"""

_BREAKDOWN_SQL = """
SELECT CASE WHEN GROUPING(channel) = 0 THEN 'channel' WHEN GROUPING(intent) = 0 THEN 'intent' ELSE 'status' END,
       COALESCE(channel, intent, status),
       count(*)
  FROM interactions
 WHERE created_at >= %(start)s AND created_at < %(end)s
 GROUP BY GROUPING SETS ((channel), (intent), (status))
"""

# Wait = creation → assignment, or → now while still queued (the definition of v_handoff_tickets_full).
_TICKETS_SQL = """
WITH waits AS (
    SELECT t.queue_name, EXTRACT(EPOCH FROM (COALESCE(t.assigned_at, now()) - t.created_at)) / 60 AS minutes
      FROM handoff_tickets t
      JOIN interactions i ON i.interaction_id = t.interaction_id
     WHERE i.created_at >= %(start)s AND i.created_at < %(end)s
)
SELECT queue_name, count(*), avg(minutes), percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes)
  FROM waits GROUP BY queue_name
"""

_CRM_SQL = """
SELECT action_type, count(*), avg(success::int), avg(execution_time_ms)
  FROM crm_actions
 WHERE executed_at >= %(start)s AND executed_at < %(end)s
 GROUP BY action_type
"""

_RESPONSES_SQL = """
SELECT model_used, count(*), avg(execution_time_ms), percentile_cont(0.9) WITHIN GROUP (ORDER BY execution_time_ms)
  FROM response_logs
 WHERE created_at >= %(start)s AND created_at < %(end)s
 GROUP BY model_used
"""


@dataclass(frozen=True)
class DayResult:
    day: datetime.date
    rows_written: int
    interactions: int


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(round(float(value), 4)))


def _rate(part: int, total: int) -> float | None:
    return part / total if total else None


def _fetch(cursor, sql: str, bounds: dict) -> list[tuple]:
    cursor.execute(sql, bounds)
    return cursor.fetchall()


def _measure_day(day: datetime.date) -> list[tuple[str, dict, object]]:
    """Every (metric_type, dimensions, value) of one day, read set-wise."""
    start, end = day_bounds(day, day)
    bounds = {"start": start, "end": end}
    with connection.cursor() as cursor:
        [(total, completed, failed, escalated, res_avg, res_p90, customers)] = _fetch(cursor, _OVERALL_SQL, bounds)
        figures = [
            (INTERACTIONS, {}, total),
            (COMPLETED, {}, completed),
            (FAILED, {}, failed),
            (ESCALATED, {}, escalated),
            (COMPLETION_RATE, {}, _rate(completed, total)),
            (ESCALATION_RATE, {}, _rate(escalated, total)),
            (RESOLUTION_AVG, {}, res_avg),
            (RESOLUTION_P90, {}, res_p90),
            (UNIQUE_CUSTOMERS, {}, customers),
        ]
        for dimension, value, count in _fetch(cursor, _BREAKDOWN_SQL, bounds):
            figures.append((INTERACTIONS, {dimension: value}, count))
        for queue, count, wait_avg, wait_p90 in _fetch(cursor, _TICKETS_SQL, bounds):
            dims = {"queue": queue}
            figures += [(TICKETS, dims, count), (TICKET_WAIT_AVG, dims, wait_avg), (TICKET_WAIT_P90, dims, wait_p90)]
        for action_type, count, success, time_avg in _fetch(cursor, _CRM_SQL, bounds):
            dims = {"action_type": action_type}
            figures += [(CRM_ACTIONS, dims, count), (CRM_SUCCESS_RATE, dims, success), (CRM_TIME_AVG, dims, time_avg)]
        for model, count, latency_avg, latency_p90 in _fetch(cursor, _RESPONSES_SQL, bounds):
            dims = {"model": model}
            figures += [
                (RESPONSES, dims, count),
                (RESPONSE_LATENCY_AVG, dims, latency_avg),
                (RESPONSE_LATENCY_P90, dims, latency_p90),
            ]
    return figures


def compute_daily_metrics(*, day: datetime.date) -> DayResult:
    """Replace the stored metrics of `day` by freshly computed ones (idempotent).

    A transaction-scoped advisory lock per day makes two concurrent runs for the same day take
    turns, instead of both deleting and then colliding on the unique constraint when inserting.
    Figures with no value (an average over nothing) are not stored.
    """
    if day > timezone.localdate():
        raise InvalidInput.for_field("date", f"{day} is in the future; metrics exist for past days and today.")
    figures = _measure_day(day)
    rows = [
        AnalyticsMetric(metric_date=day, metric_type=metric_type, dimensions=dims, metric_value=_decimal(value))
        for metric_type, dims, value in figures
        if value is not None
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('analytics_metrics'), %s)", [day.toordinal()])
        AnalyticsMetric.objects.filter(metric_date=day).delete()
        AnalyticsMetric.objects.bulk_create(rows)
    return DayResult(day=day, rows_written=len(rows), interactions=figures[0][2])


def days_to_compute(*, day: datetime.date | None = None, since: datetime.date | None = None) -> list[datetime.date]:
    """The days a run covers: one day (default: yesterday, the last complete day) or `since` … today."""
    today = timezone.localdate()
    if day is not None and since is not None:
        raise InvalidInput("Give either a date or a start date (--since), not both.")
    if since is None:
        return [day or today - datetime.timedelta(days=1)]
    if since > today:
        raise InvalidInput.for_field("since", f"{since} is in the future.")
    count = (today - since).days + 1
    if count > MAX_DAYS_PER_RUN:
        raise InvalidInput.for_field("since", f"Covers {count} days; at most {MAX_DAYS_PER_RUN} per run.")
    return [since + datetime.timedelta(days=offset) for offset in range(count)]


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
