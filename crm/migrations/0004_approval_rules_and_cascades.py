"""Seed the approval rules (payment method and address changes need a person, 15 minutes) and let the
database cascade like the ORM: purges delete interactions in SQL (core.db.cascade_fk_sql says why)."""

from django.db import migrations

from core.db import cascade_fk_sql

GATED = ("update_payment_method", "update_address")
ALL_TYPES = ("update_address", "check_policy_status", "get_customer_info", "update_payment_method")
DEFAULT_SLA_MINUTES = 15

# The executed action of a proposal may be deleted on its own (by hand, in SQL): the proposal stays.
EXECUTED_SET_NULL = """
DO $$
DECLARE c text;
BEGIN
  SELECT conname INTO c FROM pg_constraint
   WHERE conrelid = 'crm_action_proposals'::regclass AND contype = 'f'
     AND confrelid = 'crm_actions'::regclass;
  EXECUTE format('ALTER TABLE crm_action_proposals DROP CONSTRAINT %I', c);
  EXECUTE format('ALTER TABLE crm_action_proposals ADD CONSTRAINT %I FOREIGN KEY (executed_action_id)
                  REFERENCES crm_actions {} DEFERRABLE INITIALLY DEFERRED', c);
END $$;"""


def seed_rules(apps, schema_editor):
    ActionRule = apps.get_model("crm", "ActionRule")
    for action_type in ALL_TYPES:
        ActionRule.objects.get_or_create(
            action_type=action_type,
            defaults={"requires_approval": action_type in GATED, "sla_minutes": DEFAULT_SLA_MINUTES},
        )


forwards = seed_rules  # tests/conftest.py ROLE_DATA_MIGRATIONS re-seeds after a transactional test's flush


def unseed_rules(apps, schema_editor):
    apps.get_model("crm", "ActionRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_approvals"), ("interactions", "0001_initial")]

    operations = [
        migrations.RunPython(seed_rules, unseed_rules),
        migrations.RunSQL(*cascade_fk_sql("crm_action_proposals", "interaction_id", "interactions")),
        migrations.RunSQL(*cascade_fk_sql("crm_proposal_events", "proposal_id", "crm_action_proposals")),
        migrations.RunSQL(EXECUTED_SET_NULL.format("ON DELETE SET NULL"), EXECUTED_SET_NULL.format("")),
    ]
