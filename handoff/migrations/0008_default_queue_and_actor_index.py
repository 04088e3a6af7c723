"""The default queue `general` exists from the start (other queues are created by supervisors), and an index
for the supervisor's board: each agent's last activity."""

from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    apps.get_model("handoff", "Queue").objects.get_or_create(name="general")


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0007_ticket_notes_and_reassign_notice"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(fields=["actor", "-created_at"], name="ticket_events_actor_idx"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
