"""Supervisors may view the background jobs and their events (procrastinate's admin): a failed job is theirs
to notice. Only view: a job is retried from the worker's side (docs/deployment.md, "Background jobs")."""

from django.db import migrations

from core.group_permissions import grant, revoke

GRANTS = {"Supervisors": ["view_procrastinatejob", "view_procrastinateevent"]}


def forwards(apps, schema_editor):
    grant(apps, "procrastinate", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "procrastinate", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0003_idempotencykey_moved"),
        ("handoff", "0003_groups_and_reasons"),
        ("procrastinate", "0041_post_retry_failed_job"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
