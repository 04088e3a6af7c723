"""Test databases cloned from a migrated template, instead of migrated anew by every pytest-xdist worker.

Per alias, the first worker to need it builds a template (`test_callbot_tpl_<digest>`: migrated, and Berinia's
tables loaded in the `berinia` one) under an advisory lock while the others wait; then every worker gets its
own copy (`CREATE DATABASE test_callbot_gw0 TEMPLATE …`, a file copy), dropped at the end as before.
The template is kept: a later run whose migrations, Berinia schema and Django version are unchanged (same
digest) clones it at once. Templates of older digests are dropped when a new one is built.
"""

import hashlib
import os
import re
from contextlib import contextmanager
from pathlib import Path

import django
import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg import sql

from tests.berinia_sync.schema import SCHEMA, load_berinia_schema

ROOT = Path(__file__).resolve().parents[1]
ALIASES = ("default", "berinia")


def schema_digest() -> str:
    """What the test databases' schema and data migrations are made of."""
    digest = hashlib.sha256(django.get_version().encode())
    for path in [*sorted(ROOT.glob("*/migrations/*.py")), SCHEMA]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _maintenance(alias: str):
    """An autocommit connection to the alias's cluster, on its `postgres` database."""
    config = connections[alias].settings_dict
    conninfo = {"host": config["HOST"], "port": config["PORT"] or None, "user": config["USER"]}
    if config["PASSWORD"]:
        conninfo["password"] = config["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        yield conn


def _use(alias: str, name: str) -> None:
    connections[alias].close()
    settings.DATABASES[alias]["NAME"] = name
    connections[alias].settings_dict["NAME"] = name


def _exists(admin, name: str) -> bool:
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _build(admin, alias: str, template: str, stale_prefix: str) -> None:
    building = f"{template}_building"  # renamed once complete: a template that exists is a whole one
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(building)))
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    _use(alias, building)
    call_command("migrate", database=alias, verbosity=0, interactive=False, run_syncdb=True)
    if alias == "berinia":
        load_berinia_schema()
    connections[alias].close()
    admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(template)))
    # Exactly this run's name and a digest: another suffix's templates (`test_callbot_x_tpl_…`) are not ours.
    stale = admin.execute(
        "SELECT datname FROM pg_database WHERE datname ~ %s AND datname <> %s",
        [f"^{re.escape(stale_prefix)}[0-9a-f]{{12}}$", template],
    ).fetchall()
    for (name,) in stale:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_test_databases() -> dict[str, str]:
    """Each alias pointed at a fresh copy of its template; returns {alias: the configured database's name}."""
    digest = schema_digest()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    originals = {}
    for alias in ALIASES:
        target = settings.DATABASES[alias]["TEST"]["NAME"]
        run_name = target.removesuffix(f"_{worker}") if worker else target
        template = f"{run_name}_tpl_{digest}"
        originals[alias] = settings.DATABASES[alias]["NAME"]
        with _maintenance(alias) as admin:
            admin.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
            if not _exists(admin, template):
                _build(admin, alias, template, stale_prefix=f"{run_name}_tpl_")
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(template))
            )
            # A test database is thrown away: its commits need not wait for the disk (no risk of corruption,
            # only of losing the last commits in a crash). Every session on it, the tests' servers' too.
            admin.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(target)))
            admin.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
        _use(alias, target)
    for alias in connections:
        mirror = settings.DATABASES[alias].get("TEST", {}).get("MIRROR")
        if mirror:
            connections[alias].creation.set_as_test_mirror(connections[mirror].settings_dict)
    return originals


def drop_test_databases(originals: dict[str, str]) -> None:
    """Drop each worker's copies (sessions left open by a test's servers or threads are ended first)."""
    for alias, original in originals.items():
        target = connections[alias].settings_dict["NAME"]
        _use(alias, original)
        with _maintenance(alias) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
