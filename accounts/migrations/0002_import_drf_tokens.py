"""Existing DRF tokens (authtoken_token, keys in clear) move into the hashed store, then leave that table.

Each key is stored as its digest with the same user, so bots keep working without a change; it
expires API_TOKEN_TTL_DAYS after this migration. The rows of authtoken_token are deleted: after
this, no backup holds a usable token. `rest_framework.authtoken` is no longer installed, so the
table is read with SQL, and only where it exists (a database of a release before the hashed tokens);
it is left in place, empty. There is no way back: the keys are gone in clear (reversing leaves the
hashed tokens as they are).
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from accounts import tokens

LEGACY_TABLE = "authtoken_token"


def import_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", "user_id", "created" FROM "{LEGACY_TABLE}"')
        rows = cursor.fetchall()
        users = User.objects.in_bulk([user_id for _, user_id, _ in rows])
        now = timezone.now()
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    user_id=user_id,
                    prefix=key[: tokens.PREFIX_LENGTH],
                    digest=tokens.digest_of(key),
                    password_marker=tokens.password_marker(users[user_id]),
                    created_at=created,
                    expires_at=tokens.expiry_from(now),
                )
                for key, user_id, created in rows
            ],
            ignore_conflicts=True,  # a key imported before (the migration rerun by hand) stays as it is
        )
        cursor.execute(f'DELETE FROM "{LEGACY_TABLE}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_api_tokens")]

    operations = [migrations.RunPython(import_drf_tokens, migrations.RunPython.noop, elidable=False)]
