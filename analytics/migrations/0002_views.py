from django.db import migrations

TICKETS_FULL_VIEW = """
CREATE VIEW v_handoff_tickets_full AS
SELECT t.ticket_id, t.interaction_id, t.customer_id,
       c.name AS customer_name, c.segment AS customer_segment, c.email AS customer_email, c.phone AS customer_phone,
       t.reason, t.priority, t.status, t.queue_name,
       u.username AS assigned_agent, t.assigned_at, t.started_at, t.resolved_at,
       t.resolution_notes, t.context_data, t.created_at,
       i.channel, i.intent, i.emotion, i.urgency, i.confidence_score,
       ROUND(EXTRACT(EPOCH FROM (COALESCE(t.assigned_at, now()) - t.created_at)) / 60)::int AS wait_minutes
  FROM handoff_tickets t
  JOIN interactions i ON i.interaction_id = t.interaction_id
  LEFT JOIN customers c ON c.customer_id = t.customer_id
  LEFT JOIN auth_user u ON u.id = t.assigned_agent_id;
"""

DAILY_METRICS_VIEW = """
CREATE VIEW v_daily_metrics AS
SELECT DATE(i.created_at) AS date,
       COUNT(*) AS total_interactions,
       COUNT(*) FILTER (WHERE i.status = 'completed') AS completed_interactions,
       COUNT(*) FILTER (WHERE i.status = 'failed') AS failed_interactions,
       AVG(i.resolution_time_seconds) AS avg_resolution_seconds,
       COUNT(DISTINCT i.customer_id) AS unique_customers,
       COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM handoff_tickets t WHERE t.interaction_id = i.interaction_id))
           AS escalated_interactions
  FROM interactions i
 GROUP BY DATE(i.created_at);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("handoff", "0001_initial"),
        ("crm", "0001_initial"),
        ("interactions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(TICKETS_FULL_VIEW, "DROP VIEW v_handoff_tickets_full;"),
        migrations.RunSQL(DAILY_METRICS_VIEW, "DROP VIEW v_daily_metrics;"),
    ]
