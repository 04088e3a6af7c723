"""IdempotencyKey moves here from `callbot_site` (its 0001): same table, same rows; only Django's state moves.

The table `api_idempotency_keys` is created by callbot_site.0001 on a new database and kept as it is on
an existing one; its content type follows the model so that permissions and admin log entries stay valid.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="callbot_site", new="idempotency"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="idempotencykey").exists():
        ContentType.objects.filter(app_label=old, model="idempotencykey").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="idempotency", new="callbot_site")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("callbot_site", "0002_bots_group"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=255)),
                        ("request_fingerprint", models.CharField(max_length=64)),
                        ("method", models.CharField(max_length=10)),
                        ("path", models.CharField(max_length=500)),
                        ("response_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("response_content_type", models.CharField(blank=True, default="", max_length=100)),
                        ("response_body", models.BinaryField(blank=True, default=b"")),
                        ("created_at", models.DateTimeField(db_index=True)),
                        (
                            "client",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "api_idempotency_keys",
                        "constraints": [
                            models.UniqueConstraint(fields=("client", "key"), name="api_idempotency_keys_client_key")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
