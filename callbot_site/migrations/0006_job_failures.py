"""Job failures: each failed attempt of a background job with its error (procrastinate keeps no error text).
Supervisors may view them, as they view the jobs (0004); nobody edits them: the workers write them."""

from django.db import migrations, models

from core.group_permissions import grant, revoke

GRANTS = {"Supervisors": ["view_jobfailure"]}


def forwards(apps, schema_editor):
    grant(apps, "callbot_site", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "callbot_site", GRANTS)


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
