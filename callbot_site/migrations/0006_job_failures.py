"""Job failures: each failed attempt of a background job with its error (procrastinate keeps no error text).
Supervisors may view them, as they view the jobs (0004); nobody edits them: the workers write them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

SUPERVISORS_GROUP = "Supervisors"
FAILURE_PERMISSIONS = ["view_jobfailure"]


def forwards(apps, schema_editor):
    config = apps.get_app_config("callbot_site")
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
        *Permission.objects.filter(content_type__app_label="callbot_site", codename__in=FAILURE_PERMISSIONS)
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=SUPERVISORS_GROUP):
        group.permissions.remove(*group.permissions.filter(codename__in=FAILURE_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0005_supervisors_edit_action_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name="JobFailure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "job_id",
                    models.BigIntegerField(db_index=True, help_text="procrastinate job (procrastinate_jobs.id)."),
                ),
                ("task_name", models.CharField(max_length=255)),
                ("attempt", models.PositiveIntegerField(help_text="1 for the first try.")),
                ("error_type", models.CharField(help_text="The exception's class, with its module.", max_length=255)),
                ("message", models.CharField(blank=True, max_length=1000)),
                ("failed_at", models.DateTimeField()),
            ],
            options={
                "db_table": "job_failures",
                "ordering": ["-failed_at", "-id"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("attempt__gte", 1)), name="job_failures_attempt_from_1")
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
