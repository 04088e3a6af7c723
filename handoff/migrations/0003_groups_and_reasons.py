"""Agents and Supervisors groups with their permissions, and the default resolution reasons."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT_PERMISSIONS = [
    ("handoff", "view_handoffticket"),
    ("handoff", "view_agentnotification"),
    ("handoff", "change_agentnotification"),
    ("handoff", "view_ticketevent"),
    ("handoff", "view_queue"),
    ("handoff", "view_resolutionreason"),
    ("interactions", "view_interaction"),
    ("interactions", "view_conversationmessage"),
    ("interactions", "view_responselog"),
    ("crm", "view_customer"),
    ("crm", "view_crmaction"),
]
SUPERVISOR_EXTRA = [
    ("handoff", "change_handoffticket"),  # assign / reassign
    ("handoff", "change_queue"),
    ("handoff", "add_queue"),
    ("handoff", "add_resolutionreason"),
    ("handoff", "change_resolutionreason"),
    ("handoff", "view_agentprofile"),
    ("handoff", "add_agentprofile"),
    ("handoff", "change_agentprofile"),
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),  # unlock a locked-out agent
]
REASONS = [
    ("wrong-intent", "The bot misunderstood the intent"),
    ("crm-action-failed", "A CRM action failed"),
    ("policy-exception", "Policy exception needed"),
    ("customer-asked-human", "Customer asked for a human"),
    ("fraud-suspicion", "Fraud suspicion"),
    ("other", "Other"),
]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(pairs):
        return [Permission.objects.get(content_type__app_label=app, codename=code) for app, code in pairs]

    agents, _ = Group.objects.get_or_create(name="Agents")
    agents.permissions.set(perms(AGENT_PERMISSIONS))
    supervisors, _ = Group.objects.get_or_create(name="Supervisors")
    supervisors.permissions.set(perms(AGENT_PERMISSIONS + SUPERVISOR_EXTRA))

    ResolutionReason = apps.get_model("handoff", "ResolutionReason")
    for code, label in REASONS:
        ResolutionReason.objects.get_or_create(code=code, defaults={"label": label})


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Agents", "Supervisors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0002_database_cascades"),
        ("crm", "0001_initial"),
        ("interactions", "0001_initial"),
        ("axes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
