"""IdempotencyKey now belongs to the `idempotency` app (its 0001); the table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("callbot_site", "0002_bots_group"),
        ("idempotency", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
