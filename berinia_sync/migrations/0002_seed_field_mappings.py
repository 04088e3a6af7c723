"""Seed the default infra-ia → Berinia field mapping (editable afterwards in the admin)."""

from django.db import migrations

DEFAULT_MAPPINGS = [
    ("contact_name", "name", "Split into first_name / last_name; company-only leads show the company."),
    ("company_name", "company", "Written to company and entreprise (older column the UI falls back to)."),
    ("email", "email", "Validated with email-validator, lower-cased; required."),
    ("phone", "phone", "Normalised to E.164, France by default."),
    ("website", "website", ""),
    ("source", "source", ""),
    ("position", "position", ""),
    ("business_type", "industry", ""),
    ("score", "score", "Integer 0-100."),
    ("status", "status", "Used for new leads only: an existing lead's status is never set back."),
    ("campaign_id", "campaign", "Berinia campaigns.id; the run's campaign, when given, takes precedence."),
    ("niche", "niche", "Looked up by exact name in niches; unknown names stay in score_details."),
    ("id", "score_details", "infra-ia's id, kept as score_details.id (also in the export ledger)."),
]


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
