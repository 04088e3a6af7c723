"""Hot-path SQL without the ORM's compiling: INSERTs of new instances and a primary-key read (the bot turn).

A bot turn writes four rows and reads one CRM rule per request (docs/benchmarks.md, "Round two").
Django's create() and bulk_create() compile the INSERT in Python on every call (~0.2–0.5 ms each), and
`.filter(pk=…).first()` costs ~0.4 ms; here the SQL text is built once per (model, row count) and run
through psycopg's server-binding cursor on Django's connection, so it stays in the caller's transaction
(~0.1 ms). psycopg prepares it on the server as well when the connection allows prepared statements
(OPTIONS "prepare_threshold"; Django's default, and DATABASE_POOLER=pgbouncer, turn them off).

Like bulk_create, no pre_save/post_save signal is sent: the models written here have no receivers
(tests/interactions/test_prepared_sql.py checks that this stays true).
"""

import time
from collections.abc import Sequence

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Model

_STATEMENTS: dict[tuple, str] = {}


def may_prepare() -> bool:
    """Whether a hot statement may be prepared on the server: not behind PgBouncer in transaction mode, where
    the next transaction may get another server connection (docs/deployment.md, "Connection pooling")."""
    return settings.DATABASE_POOLER != "pgbouncer"


def _execute(sql: str, params: list, *, fetch=None, prepare: bool | None = None):
    """Run `sql` in the caller's transaction; `fetch(cursor)`'s answer, if given; `prepare` as psycopg's."""
    connection.ensure_connection()
    start = time.monotonic()
    # Django's wrapper turns psycopg's errors into django.db's (IntegrityError, …), as its own cursors do.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=prepare)
        result = fetch(cursor) if fetch else None
    if connection.queries_logged:  # DEBUG and assertNumQueries see these statements like any other
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return result


def select(sql: str, params: list) -> list[tuple]:
    """The rows of a read run at every claim or ticket move: prepared (planned once per connection) where
    may_prepare() allows."""
    return _execute(sql, params, fetch=psycopg.Cursor.fetchall, prepare=may_prepare())


def _fields(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if not field.generated]


def _statement(model: type[Model], rows: int) -> str:
    key = (model, rows)
    if key not in _STATEMENTS:
        quote = connection.ops.quote_name
        fields = _fields(model)
        row = f"({', '.join(['%s'] * len(fields))})"
        _STATEMENTS[key] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES {', '.join([row] * rows)}"
        )
    return _STATEMENTS[key]


def insert(instances: Sequence[Model]) -> list[Model]:
    """INSERT new instances of one model (primary keys set by their defaults) in one statement; returns them."""
    instances = list(instances)
    if not instances:
        return instances
    model = type(instances[0])
    fields = _fields(model)
    params = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection)
        for instance in instances
        for field in fields
    ]
    _execute(_statement(model, len(instances)), params)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias
    return instances


def create(model: type[Model], **values) -> Model:
    """model.objects.create(**values) through `insert`."""
    return insert([model(**values)])[0]


def get_or_none(model: type[Model], pk) -> Model | None:
    """model.objects.filter(pk=pk).first(), without the ORM's compiling."""
    fields = _fields(model)
    key = (model, "pk")
    if key not in _STATEMENTS:
        quote = connection.ops.quote_name
        _STATEMENTS[key] = (
            f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} = %s"
        )
    row = _execute(_STATEMENTS[key], [model._meta.pk.get_db_prep_value(pk, connection)], fetch=psycopg.Cursor.fetchone)
    if row is None:
        return None
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, row, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], values)
