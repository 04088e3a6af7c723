from django.db import migrations

from core.db import cascade_fk_sql

MESSAGES_CASCADE = cascade_fk_sql("conversation_messages", "interaction_id", "interactions")
RESPONSES_CASCADE = cascade_fk_sql("response_logs", "interaction_id", "interactions")

LAST_MESSAGE_VIEW = """
CREATE VIEW v_interactions_with_last_message AS
SELECT i.*,
       last.turn_number AS last_turn_number,
       last.speaker     AS last_speaker,
       last.message     AS last_message,
       last.timestamp   AS last_message_at
  FROM interactions i
  LEFT JOIN LATERAL (
        SELECT m.turn_number, m.speaker, m.message, m.timestamp
          FROM conversation_messages m
         WHERE m.interaction_id = i.interaction_id
         ORDER BY m.turn_number DESC
         LIMIT 1) last ON true;
"""


class Migration(migrations.Migration):
    dependencies = [("interactions", "0001_initial")]

    operations = [
        migrations.RunSQL(*MESSAGES_CASCADE),
        migrations.RunSQL(*RESPONSES_CASCADE),
        migrations.RunSQL(LAST_MESSAGE_VIEW, "DROP VIEW v_interactions_with_last_message;"),
    ]
