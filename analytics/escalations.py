"""Why bots escalate: reads over a date range for the dashboard, its CSV downloads and /api/v1/metrics/escalations/.

The range covers the interactions created from date_from to date_to (calendar days in the project's time
zone, at most MAX_RANGE_DAYS); escalations and tickets are reached through those interactions, as in
the stored daily metrics. An escalation is an interaction with a handoff ticket; when an interaction
had several tickets, its latest one says why. CRM action proposals (the approval loop) are taken by
their own creation day.

Each table is one set-wise SELECT over shared CTEs; `escalation_report` runs every table in a single
statement (each table aggregated into a JSON array), so the whole report costs one round trip.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router

from analytics.selectors import check_range, day_bounds
from interactions.models import Interaction

HISTOGRAM_BUCKETS = 10  # confidence 0.0–0.1, …, 0.9–1.0 (1.0 falls in the last one)
CONFIDENCE_GROUPS = ("escalated", "completed")
OPEN_REASON = "open"  # the reason code of an escalation whose ticket is not resolved yet
UNSPECIFIED_REASON = "unspecified"  # resolved before reasons were required

_CTES = """
scope AS (
    SELECT i.interaction_id, i.intent, i.status, i.confidence_score
      FROM interactions i
     WHERE i.created_at >= %(start)s AND i.created_at < %(end)s
),
escalations AS (
    SELECT DISTINCT ON (t.interaction_id)
           t.interaction_id, s.intent, t.status <> 'resolved' AS is_open, t.resolution_reason_id
      FROM handoff_tickets t
      JOIN scope s ON s.interaction_id = t.interaction_id
     ORDER BY t.interaction_id, t.created_at DESC
)
"""

_BY_REASON_SQL = f"""
SELECT e.intent,
       CASE WHEN e.is_open THEN '{OPEN_REASON}' ELSE COALESCE(e.resolution_reason_id, '{UNSPECIFIED_REASON}') END
           AS reason_code,
       CASE WHEN e.is_open THEN 'Not resolved yet' ELSE COALESCE(r.label, 'No reason recorded') END AS reason_label,
       count(*) AS escalations
  FROM escalations e
  LEFT JOIN handoff_resolution_reasons r ON r.code = e.resolution_reason_id
 GROUP BY 1, 2, 3
"""

_HISTOGRAM = ", ".join(f"count(*) FILTER (WHERE bucket = {b})" for b in range(HISTOGRAM_BUCKETS))
_CONFIDENCE_SQL = f"""
SELECT kind AS "group",
       count(*) AS interactions,
       count(score) AS scored,
       avg(score) AS average,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS median,
       ARRAY[{_HISTOGRAM}] AS histogram
  FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM handoff_tickets t WHERE t.interaction_id = s.interaction_id)
                    THEN 'escalated'
                    WHEN s.status = 'completed' THEN 'completed' END AS kind,
               s.confidence_score::float8 AS score,
               -- LEAST skips NULLs: an interaction without a score must stay out of every bucket
               CASE WHEN s.confidence_score IS NOT NULL
                    THEN LEAST(floor(s.confidence_score * {HISTOGRAM_BUCKETS}), {HISTOGRAM_BUCKETS - 1})::int END
                   AS bucket
          FROM scope s) scored
 WHERE kind IS NOT NULL
 GROUP BY kind
"""

_CRM_FAILURES_SQL = """
SELECT escalations, with_failed_crm_action, with_failed_crm_action::float8 / NULLIF(escalations, 0) AS share
  FROM (SELECT count(*) AS escalations,
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM crm_actions c WHERE c.interaction_id = e.interaction_id AND NOT c.success
               )) AS with_failed_crm_action
          FROM escalations e) counts
"""

# First human touch: the earlier of assignment and start (LEAST skips NULLs); NULL while nobody touched it.
_FIRST_TOUCH_SQL = """
SELECT queue,
       count(*) AS tickets,
       count(minutes) AS touched,
       count(*) - count(minutes) AS untouched,
       avg(minutes) AS avg_minutes,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS p50_minutes,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) AS p90_minutes
  FROM (SELECT t.queue_name AS queue,
               (EXTRACT(EPOCH FROM LEAST(t.assigned_at, t.started_at) - t.created_at) / 60)::float8 AS minutes
          FROM handoff_tickets t
          JOIN scope s ON s.interaction_id = t.interaction_id) touches
 GROUP BY queue
"""

# Proposals are counted by their own creation day (crm_proposals_day_type_idx), decided or not.
_APPROVALS_SQL = """
SELECT action_type,
       count(*) AS proposals,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       count(*) FILTER (WHERE status = 'approved') AS approved,
       count(*) FILTER (WHERE status = 'approved' AND edited) AS approved_edited,
       count(*) FILTER (WHERE status = 'rejected') AS rejected,
       count(*) FILTER (WHERE status = 'approved')::float8 / NULLIF(count(*) FILTER (WHERE status <> 'pending'), 0)
           AS approval_rate,
       count(*) FILTER (WHERE status = 'approved' AND edited)::float8
           / NULLIF(count(*) FILTER (WHERE status = 'approved'), 0) AS edited_share,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - created_at)::float8 / 60)
           AS median_decision_minutes
  FROM crm_action_proposals
 WHERE created_at >= %(start)s AND created_at < %(end)s
 GROUP BY action_type
"""


def _confidence_rows(rows: list[dict]) -> list[dict]:
    """Both groups, always in the same order (a group with no interaction has zeros and no averages)."""
    found = {row["group"]: row for row in rows}
    empty = {"interactions": 0, "scored": 0, "average": None, "median": None, "histogram": [0] * HISTOGRAM_BUCKETS}
    return [found.get(group, {"group": group, **empty}) for group in CONFIDENCE_GROUPS]


@dataclass(frozen=True)
class Table:
    sql: str
    order_by: str  # columns of the table's rows, for json_agg
    finish: Callable[[list[dict]], object] = list


TABLES: dict[str, Table] = {
    "by_intent_and_reason": Table(_BY_REASON_SQL, "tbl.intent, tbl.escalations DESC, tbl.reason_code"),
    "confidence": Table(_CONFIDENCE_SQL, 'tbl."group"', _confidence_rows),
    "crm_failures": Table(_CRM_FAILURES_SQL, "tbl.escalations", lambda rows: rows[0]),
    "first_touch_by_queue": Table(_FIRST_TOUCH_SQL, "tbl.queue"),
    "approvals_by_action_type": Table(_APPROVALS_SQL, "tbl.proposals DESC, tbl.action_type"),
}


def _read_tables(names: tuple[str, ...], date_from: datetime.date, date_to: datetime.date) -> dict[str, object]:
    """The named tables over the range, in one statement."""
    check_range(date_from, date_to)
    start, end = day_bounds(date_from, date_to)
    columns = ",\n".join(
        f"(SELECT COALESCE(json_agg(tbl ORDER BY {TABLES[name].order_by}), '[]') FROM ({TABLES[name].sql}) tbl)"
        for name in names
    )
    # Raw SQL bypasses the routers: ask them, so that the report reads from the replica when it may.
    with connections[router.db_for_read(Interaction)].cursor() as cursor:
        cursor.execute(f"WITH {_CTES} SELECT {columns}", {"start": start, "end": end})
        values = cursor.fetchone()
    return {
        name: TABLES[name].finish(value)  # psycopg decodes json into Python lists
        for name, value in zip(names, values, strict=True)
    }


def escalation_report(*, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Every table of the report, read in one query."""
    return {"date_from": date_from, "date_to": date_to, **_read_tables(tuple(TABLES), date_from, date_to)}


def escalations_by_intent_and_reason(*, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """Escalated interactions per (intent, reason code), unresolved ones under 'open'; by intent, largest first."""
    return _read_tables(("by_intent_and_reason",), date_from, date_to)["by_intent_and_reason"]


def confidence_of_escalated_and_completed(*, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """The bot's confidence on escalated interactions vs those completed without a ticket.

    Per group: interactions, how many had a score, average, median and a 10-bucket histogram of scores.
    """
    return _read_tables(("confidence",), date_from, date_to)["confidence"]


def escalations_with_failed_crm_action(*, date_from: datetime.date, date_to: datetime.date) -> dict:
    """How many escalated interactions had at least one failed CRM action, and their share."""
    return _read_tables(("crm_failures",), date_from, date_to)["crm_failures"]


def first_human_touch_by_queue(*, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """Per queue: minutes from a ticket's creation to its first assignment or start (avg, p50, p90), untouched."""
    return _read_tables(("first_touch_by_queue",), date_from, date_to)["first_touch_by_queue"]


def approval_rates_by_action_type(*, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """Per action type, proposals created in the range: pending, approved (edited or not), rejected,
    approval rate among decided ones, share of approvals that were edited, median minutes to a decision."""
    return _read_tables(("approvals_by_action_type",), date_from, date_to)["approvals_by_action_type"]
