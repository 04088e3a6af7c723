"""Working notes on tickets (one per author and ticket), the notes snapshot on audit events, and the
"reassigned" notification type.

The new event column has a constant default: PostgreSQL adds it without rewriting the table. The notes'
ticket key cascades in the database too (core.db.cascade_fk_sql), as the purge deletes tickets in SQL.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

from core.db import cascade_fk_sql


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0006_ticket_due_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TicketNote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("body", models.TextField(blank=True, default="")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "db_table": "handoff_ticket_notes",
                "ordering": ["ticket", "created_at", "id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="agentnotification",
            name="agent_notifications_type_valid",
        ),
        migrations.AddField(
            model_name="ticketevent",
            name="notes",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AlterField(
            model_name="agentnotification",
            name="notification_type",
            field=models.CharField(
                choices=[
                    ("new_ticket", "New Ticket"),
                    ("urgent", "Urgent"),
                    ("reminder", "Reminder"),
                    ("reassigned", "Reassigned"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="agentnotification",
            constraint=models.CheckConstraint(
                condition=models.Q(("notification_type__in", ["new_ticket", "urgent", "reminder", "reassigned"])),
                name="agent_notifications_type_valid",
            ),
        ),
        migrations.AddField(
            model_name="ticketnote",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="ticketnote",
            name="ticket",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="working_notes", to="handoff.handoffticket"
            ),
        ),
        migrations.AddConstraint(
            model_name="ticketnote",
            constraint=models.UniqueConstraint(fields=("ticket", "author"), name="handoff_ticket_notes_one_per_author"),
        ),
        migrations.AddConstraint(
            model_name="ticketnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("body"), 10000
                ),
                name="handoff_ticket_notes_body_max_length",
            ),
        ),
        migrations.RunSQL(*cascade_fk_sql("handoff_ticket_notes", "ticket_id", "handoff_tickets")),
    ]
