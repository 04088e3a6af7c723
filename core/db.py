"""Small helpers for constraints and migrations shared by the apps."""

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
