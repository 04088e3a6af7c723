"""v_daily_metrics now reads the stored metrics (analytics_metrics) instead of aggregating interactions.

The columns of the seed's view are kept (same names, same order) and completion/escalation rates
and the p90 resolution time are added. Reversing restores the live view of 0002.
"""

from importlib import import_module

from django.db import migrations

previous = import_module("analytics.migrations.0002_views")

STORED_VIEW = """
DROP VIEW v_daily_metrics;
CREATE VIEW v_daily_metrics AS
SELECT m.metric_date AS date,
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
  FROM analytics_metrics m
 WHERE m.dimensions = '{}'::jsonb
 GROUP BY m.metric_date;
"""


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_erasurerecord_dashboard")]

    operations = [
        migrations.RunSQL(STORED_VIEW, "DROP VIEW v_daily_metrics;" + previous.DAILY_METRICS_VIEW),
    ]
