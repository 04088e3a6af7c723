"""Seed the default infra-ia → Berinia field mapping (editable afterwards in the admin)."""

from django.db import migrations

from berinia_sync.mapping_defaults import DEFAULT_MAPPINGS



def seed(apps, schema_editor):
    FieldMapping = apps.get_model("berinia_sync", "FieldMapping")
    for source_field, target, note in DEFAULT_MAPPINGS:
        FieldMapping.objects.get_or_create(source_field=source_field, defaults={"target": target, "note": note})


def unseed(apps, schema_editor):
    FieldMapping = apps.get_model("berinia_sync", "FieldMapping")
    FieldMapping.objects.filter(source_field__in=[source for source, _, _ in DEFAULT_MAPPINGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("berinia_sync", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
