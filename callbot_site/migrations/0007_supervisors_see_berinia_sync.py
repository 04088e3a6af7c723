"""Supervisors may view the Berinia export in the admin (runs, per-lead records, field mapping), as the README
promises. Only view: runs and records are written by the export, the mapping is the deployment's configuration."""

from django.db import migrations

from core.group_permissions import grant, revoke

GRANTS = {"Supervisors": ["view_exportrun", "view_exportrecord", "view_fieldmapping"]}


def forwards(apps, schema_editor):
    grant(apps, "berinia_sync", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "berinia_sync", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0006_job_failures"),
        ("berinia_sync", "0003_export_jobs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
