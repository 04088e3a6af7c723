"""A PgBouncer (transaction mode, Debian's 1.18) in front of the test databases, one per test module.

It starts after pytest-django created the test databases and stops when the module ends: its server connections
would otherwise stay open on the test databases for the rest of the run (tests that count the Berinia
database's sessions run later in the same worker, and the databases could not be dropped at the end).
Without a pgbouncer binary the tests here are skipped with the reason printed (`make test` installs it first:
scripts/install_pgbouncer.sh).
"""

import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from scripts import pgbouncer
from tests.processes import GUNICORN, PRODUCTION_ENV, free_port, serving

ROOT = Path(__file__).resolve().parents[2]
POOL_SIZE = 2  # fewer server connections than gunicorn workers or claiming agents
GUNICORN_WORKERS = 4
HTTPS = {"Host": "callbot.example.org", "X-Forwarded-Proto": "https"}
SESSION_SUFFIX = "_session"  # the Berinia test database again, pooled in session mode


def db_names() -> dict[str, str]:
    return {alias: settings.DATABASES[alias]["NAME"] for alias in ("default", "berinia")}


@pytest.fixture(scope="module")
def bouncer(django_db_setup, tmp_path_factory):
    if pgbouncer.binary() is None:
        reason = f"{pgbouncer.INSTALL_HINT}; PgBouncer tests skipped"
        print(f"\n{reason}", file=sys.stderr)
        pytest.skip(reason)
    database = settings.DATABASES["default"]
    berinia = db_names()["berinia"]
    # One per test database (TEST_DB_SUFFIX, pytest-xdist's _gwN): parallel runs never share one.
    directory = ROOT / ".localdb" / f"pgbouncer-{database['NAME']}"
    started = pgbouncer.start(
        directory=directory,
        upstream=(database["HOST"], int(database["PORT"] or 5432)),
        pool_size=POOL_SIZE,
        session_databases={berinia + SESSION_SUFFIX: berinia},
    )
    try:
        yield started
    finally:
        pgbouncer.stop(directory=directory, quiet=True)


def connect(bouncer, alias: str = "default", **kwargs) -> psycopg.Connection:
    """A plain psycopg connection to a test database through PgBouncer (autocommit unless told otherwise)."""
    kwargs.setdefault("autocommit", True)
    return psycopg.connect(**bouncer.conninfo(db_names()[alias]), **kwargs)


def reconnect(bouncer, dbname: str = "") -> None:
    """PgBouncer closes the server connections (of one database, or all) once released: session state left there dies.

    Its admin console speaks the simple query protocol only, hence the client-side cursor.
    """
    with psycopg.connect(**bouncer.conninfo("pgbouncer"), autocommit=True) as admin:
        psycopg.ClientCursor(admin).execute(f'RECONNECT "{dbname}"' if dbname else "RECONNECT")


def server_env(bouncer, *, berinia_session: bool = False, **extra) -> dict:
    """The production environment with both databases reached through PgBouncer."""
    names = db_names()
    berinia = names["berinia"] + (SESSION_SUFFIX if berinia_session else "")
    return {
        **PRODUCTION_ENV,
        "DATABASE_URL": bouncer.url(names["default"]),
        "BERINIA_DATABASE_URL": bouncer.url(berinia),
        "DATABASE_POOLER": "pgbouncer",
        "API_THROTTLE_BURST_RATE": "100000/s",
        "API_THROTTLE_RATE": "1000000/min",
        **extra,
    }


@pytest.fixture(scope="module")
def gunicorn(bouncer, tmp_path_factory):
    """gunicorn, production settings, more sync workers than PgBouncer has server connections; its base URL and log."""
    directory = tmp_path_factory.mktemp("gunicorn")
    (directory / "static").mkdir()
    port = free_port()
    env = server_env(
        bouncer,
        STATIC_ROOT=str(directory / "static"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(GUNICORN_WORKERS),
    )
    log = directory / "gunicorn.log"
    with serving(GUNICORN, env, log, port) as base:
        yield base, log
