"""v_daily_metrics gets the seed's `metric_date` column, and today's row is computed live.

The seed queries `SELECT * FROM v_daily_metrics WHERE metric_date >= CURRENT_DATE - INTERVAL '7 days'`.
Past days come from the stored metrics (compute_daily_metrics); today, which nothing has stored yet, is
aggregated from `interactions` when the view is read, with the same definitions and rounding as the stored
figures. `date` stays, as a copy of `metric_date`, for readers of the previous view.

Days are the project's days: the time zone (settings.TIME_ZONE) is written into the view when it is
created; after changing TIME_ZONE, run `manage.py migrate analytics 0004` and `manage.py migrate` again.
"""

from importlib import import_module

from django.conf import settings
from django.db import migrations

previous = import_module("analytics.migrations.0004_daily_metrics_view_from_metrics")

VIEW = """
DROP VIEW v_daily_metrics;
CREATE VIEW v_daily_metrics AS
WITH today AS (
    SELECT (now() AT TIME ZONE {tz})::date AS day
),
stored AS (
    SELECT m.metric_date,
           COALESCE(MAX(m.metric_value) FILTER (WHERE m.metric_type = 'interactions'), 0)::bigint
               AS total_interactions,
           COALESCE(MAX(m.metric_value) FILTER (WHERE m.metric_type = 'completed_interactions'), 0)::bigint
               AS completed_interactions,
           COALESCE(MAX(m.metric_value) FILTER (WHERE m.metric_type = 'failed_interactions'), 0)::bigint
               AS failed_interactions,
           MAX(m.metric_value) FILTER (WHERE m.metric_type = 'resolution_seconds_avg') AS avg_resolution_seconds,
           COALESCE(MAX(m.metric_value) FILTER (WHERE m.metric_type = 'unique_customers'), 0)::bigint
               AS unique_customers,
           COALESCE(MAX(m.metric_value) FILTER (WHERE m.metric_type = 'escalated_interactions'), 0)::bigint
               AS escalated_interactions,
           MAX(m.metric_value) FILTER (WHERE m.metric_type = 'completion_rate') AS completion_rate,
           MAX(m.metric_value) FILTER (WHERE m.metric_type = 'escalation_rate') AS escalation_rate,
           MAX(m.metric_value) FILTER (WHERE m.metric_type = 'resolution_seconds_p90') AS p90_resolution_seconds
      FROM analytics_metrics m, today
     WHERE m.dimensions = '{{}}'::jsonb AND m.metric_date < today.day
     GROUP BY m.metric_date
),
live AS (
    SELECT today.day AS metric_date,
           count(i.interaction_id) AS total_interactions,
           count(*) FILTER (WHERE i.status = 'completed') AS completed_interactions,
           count(*) FILTER (WHERE i.status = 'failed') AS failed_interactions,
           round(avg(i.resolution_time_seconds), 4) AS avg_resolution_seconds,
           count(DISTINCT i.customer_id) AS unique_customers,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM handoff_tickets t WHERE t.interaction_id = i.interaction_id))
               AS escalated_interactions,
           round(count(*) FILTER (WHERE i.status = 'completed')::numeric / NULLIF(count(i.interaction_id), 0), 4)
               AS completion_rate,
           round(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM handoff_tickets t
                                                 WHERE t.interaction_id = i.interaction_id))::numeric
                 / NULLIF(count(i.interaction_id), 0), 4) AS escalation_rate,
           round((percentile_cont(0.9) WITHIN GROUP (ORDER BY i.resolution_time_seconds))::numeric, 4)
               AS p90_resolution_seconds
      FROM today
      LEFT JOIN interactions i
             ON i.created_at >= today.day::timestamp AT TIME ZONE {tz}
            AND i.created_at < (today.day + 1)::timestamp AT TIME ZONE {tz}
     GROUP BY today.day
)
SELECT metric_date, metric_date AS date, total_interactions, completed_interactions, failed_interactions,
       avg_resolution_seconds, unique_customers, escalated_interactions, completion_rate, escalation_rate,
       p90_resolution_seconds
  FROM stored
UNION ALL
SELECT metric_date, metric_date AS date, total_interactions, completed_interactions, failed_interactions,
       avg_resolution_seconds, unique_customers, escalated_interactions, completion_rate, escalation_rate,
       p90_resolution_seconds
  FROM live;
"""


def create_view(apps, schema_editor):
    tz = schema_editor.quote_value(settings.TIME_ZONE)
    schema_editor.execute(VIEW.format(tz=tz))


def restore_previous_view(apps, schema_editor):
    schema_editor.execute(previous.STORED_VIEW)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_daily_metrics_view_from_metrics")]

    operations = [migrations.RunPython(create_view, restore_previous_view)]
