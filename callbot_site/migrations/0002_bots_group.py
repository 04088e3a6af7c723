"""The "Bots" group: API client accounts of the callbot (created by `manage.py create_api_client`)."""

from django.db import migrations

BOTS_GROUP = "Bots"


def forwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=BOTS_GROUP)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=BOTS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
