"""Supervisors may view the background jobs and their events (procrastinate's admin): a failed job is theirs
to notice. Only view: a job is retried from the worker's side (docs/deployment.md, "Background jobs")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPERVISORS_GROUP = "Supervisors"
JOB_PERMISSIONS = ["view_procrastinatejob", "view_procrastinateevent"]


def forwards(apps, schema_editor):
    config = apps.get_app_config("procrastinate")
    historical = getattr(config, "models_module", None) is None  # a migration's registry: no permissions yet
    if historical:
        config.models_module = True
    try:
        create_permissions(config, verbosity=0, apps=apps)
    finally:
        if historical:
            config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPERVISORS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="procrastinate", codename__in=JOB_PERMISSIONS)
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=SUPERVISORS_GROUP):
        group.permissions.remove(*group.permissions.filter(codename__in=JOB_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0003_idempotencykey_moved"),
        ("handoff", "0003_groups_and_reasons"),
        ("procrastinate", "0041_post_retry_failed_job"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
