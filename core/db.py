"""Small helpers for constraints and migrations shared by the apps."""

from django.conf import settings
from django.db.models import Q


def in_choices(field: str, choices) -> Q:
    """CHECK condition: the column holds one of the TextChoices values."""
    return Q(**{f"{field}__in": choices.values})


def unit_interval(field: str) -> Q:
    """CHECK condition: NULL or a value between 0 and 1 inclusive."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 1})


def cascade_fk_sql(table: str, column: str, ref_table: str) -> tuple[str, str]:
    """SQL (forward, reverse) making a Django FK cascade in the database too.

    Django emulates ON DELETE CASCADE in Python; the constraint it creates has no action.
    Purges and psql users delete rows directly, so the database must cascade by itself.
    """

    def redefine(action: str) -> str:
        return f"""
        DO $$
        DECLARE c text;
        BEGIN
          SELECT conname INTO c FROM pg_constraint
           WHERE conrelid = '{table}'::regclass AND contype = 'f'
             AND confrelid = '{ref_table}'::regclass
             AND conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                  WHERE attrelid = '{table}'::regclass AND attname = '{column}')];
          EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', c);
          EXECUTE format('ALTER TABLE {table} ADD CONSTRAINT %I FOREIGN KEY ({column})
                          REFERENCES {ref_table} {action} DEFERRABLE INITIALLY DEFERRED', c);
        END $$;"""

    return redefine("ON DELETE CASCADE"), redefine("")


def set_statement_timeout(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: bound every statement of a new connection by STATEMENT_TIMEOUT_MS.

    Connected by the web entry point only (callbot_site/wsgi.py), so commands and jobs (backups, purges,
    exports from files) keep running as long as they need. Persistent connections pay it once, not per
    request. 0 turns the bound off.
    """
    if connection.vendor != "postgresql" or getattr(settings, "DATABASE_POOLER", "") == "pgbouncer":
        # Behind PgBouncer a session SET would reach the commands and jobs sharing the server connection:
        # bound the web role instead (ALTER ROLE … SET statement_timeout; docs/deployment.md, "Connection pooling").
        return
    milliseconds = int(getattr(settings, "STATEMENT_TIMEOUT_MS", 0))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{milliseconds}ms"])
