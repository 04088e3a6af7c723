"""Approvals of risky CRM actions (crm): agents see proposals and their audit trail; supervisors also edit
the rules (which action types need a person, and the SLA). Decisions go through crm.approvals, never
through the admin's change form, so nobody gets change_actionproposal."""

from django.db import migrations

from core.group_permissions import grant, revoke

AGENT_PERMISSIONS = ["view_actionproposal", "view_proposalevent", "view_actionrule"]
GRANTS = {"Agents": AGENT_PERMISSIONS, "Supervisors": [*AGENT_PERMISSIONS, "change_actionrule"]}


def forwards(apps, schema_editor):
    grant(apps, "crm", GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, "crm", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0004_supervisors_see_jobs"),
        ("crm", "0004_approval_rules_and_cascades"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
