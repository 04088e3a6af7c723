"""The ticket's due time from the handoff packet's promises, and the two promise reminders' marks.

New columns are NULL (no default to write): adding them rewrites no row. The partial index holds only
open tickets with a due time, none at first.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0005_agent_capacity_positive"),
    ]

    operations = [
        migrations.AddField(
            model_name="handoffticket",
            name="due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="handoffticket",
            name="due_soon_reminded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="handoffticket",
            name="overdue_reminded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="handoffticket",
            index=models.Index(
                condition=models.Q(("due_at__isnull", False), ("status__in", ["queued", "assigned", "in_progress"])),
                fields=["due_at"],
                name="handoff_tickets_due_idx",
            ),
        ),
    ]
