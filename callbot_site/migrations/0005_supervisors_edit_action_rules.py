"""Approvals of risky CRM actions (crm): agents see proposals and their audit trail; supervisors also edit
the rules (which action types need a person, and the SLA). Decisions go through crm.approvals, never
through the admin's change form, so nobody gets change_actionproposal."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENTS_GROUP, SUPERVISORS_GROUP = "Agents", "Supervisors"
AGENT_PERMISSIONS = ["view_actionproposal", "view_proposalevent", "view_actionrule"]
SUPERVISOR_PERMISSIONS = [*AGENT_PERMISSIONS, "change_actionrule"]


def forwards(apps, schema_editor):
    config = apps.get_app_config("crm")
    historical = getattr(config, "models_module", None) is None  # a migration's registry: no permissions yet
    if historical:
        config.models_module = True
    try:
        create_permissions(config, verbosity=0, apps=apps)
    finally:
        if historical:
            config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for name, codenames in ((AGENTS_GROUP, AGENT_PERMISSIONS), (SUPERVISORS_GROUP, SUPERVISOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="crm", codename__in=codenames))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=[AGENTS_GROUP, SUPERVISORS_GROUP]):
        group.permissions.remove(*group.permissions.filter(codename__in=SUPERVISOR_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0004_supervisors_see_jobs"),
        ("crm", "0004_approval_rules_and_cascades"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
