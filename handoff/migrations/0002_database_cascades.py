from django.db import migrations

from core.db import cascade_fk_sql


class Migration(migrations.Migration):
    dependencies = [("handoff", "0001_initial"), ("interactions", "0001_initial")]

    operations = [
        migrations.RunSQL(*cascade_fk_sql("handoff_tickets", "interaction_id", "interactions")),
        migrations.RunSQL(*cascade_fk_sql("agent_notifications", "ticket_id", "handoff_tickets")),
        migrations.RunSQL(*cascade_fk_sql("handoff_ticket_events", "ticket_id", "handoff_tickets")),
    ]
