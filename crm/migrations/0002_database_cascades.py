from django.db import migrations

from core.db import cascade_fk_sql


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial"), ("interactions", "0001_initial")]

    operations = [migrations.RunSQL(*cascade_fk_sql("crm_actions", "interaction_id", "interactions"))]
