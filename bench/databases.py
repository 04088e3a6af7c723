"""The benchmark's own databases: created in the configured PostgreSQL cluster, migrated, dropped at the end.

The harness never touches the project's databases: it derives `bench_callbot` and `bench_berinia`
from the configured URLs (environment, `.env`, or the embedded cluster's `.localdb/database.env`),
points Django at them through DATABASE_URL/BERINIA_DATABASE_URL *before* `django.setup()`, and
gives gunicorn the same variables.
"""

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
import psycopg

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB_SUFFIX keeps concurrent runs on one cluster apart (e.g. a smoke run inside `make test`).
_SUFFIX = os.environ.get("BENCH_DB_SUFFIX", "")
BENCH_NAMES = {"DATABASE_URL": f"bench_callbot{_SUFFIX}", "BERINIA_DATABASE_URL": f"bench_berinia{_SUFFIX}"}
BERINIA_SCHEMA = ROOT / "berinia_sync" / "berinia_schema.sql"


def configured_urls() -> dict[str, str]:
    """DATABASE_URL and BERINIA_DATABASE_URL as the project's settings would read them."""
    for env_file in (ROOT / ".env", ROOT / ".localdb" / "database.env"):
        environ.Env.read_env(env_file)  # never overrides what the environment sets
    missing = [var for var in BENCH_NAMES if not os.environ.get(var)]
    if missing:
        raise SystemExit(f"bench: {', '.join(missing)} not set; run `make db` first (or set them).")
    return {var: os.environ[var] for var in BENCH_NAMES}


def with_dbname(url: str, dbname: str) -> str:
    """The same server URL with another database name (works for TCP and unix-socket URLs)."""
    parts = urlsplit(url)
    head, _, _ = parts.path.rpartition("/")
    return urlunsplit(parts._replace(path=f"{head}/{dbname}"))


def conninfo(url: str) -> dict:
    """psycopg connection keywords for a django-environ database URL."""
    cfg = environ.Env.db_url_config(url)
    keys = {"NAME": "dbname", "USER": "user", "PASSWORD": "password", "HOST": "host", "PORT": "port"}
    info = {kw: str(cfg[key]) for key, kw in keys.items() if cfg.get(key)}
    info.update({k: str(v) for k, v in cfg.get("OPTIONS", {}).items()})
    return info


def connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(**conninfo(url), **kwargs)


class BenchDatabases:
    """URLs of the two bench databases and cheap connections to them."""

    def __init__(self, configured: dict[str, str]):
        self.server_url = with_dbname(configured["DATABASE_URL"], "postgres")
        self.urls = {var: with_dbname(configured[var], name) for var, name in BENCH_NAMES.items()}

    @property
    def callbot_url(self) -> str:
        return self.urls["DATABASE_URL"]

    @property
    def berinia_url(self) -> str:
        return self.urls["BERINIA_DATABASE_URL"]

    def callbot(self, **kwargs) -> psycopg.Connection:
        return connect(self.callbot_url, **kwargs)

    def berinia(self, **kwargs) -> psycopg.Connection:
        return connect(self.berinia_url, **kwargs)

    def server_version(self) -> str:
        with connect(self.server_url, autocommit=True) as conn:
            return conn.execute("SHOW server_version").fetchone()[0].split()[0]

    def _recreate(self, drop_only: bool = False) -> None:
        with connect(self.server_url, autocommit=True) as admin:
            for name in BENCH_NAMES.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if not drop_only:
                    admin.execute(f'CREATE DATABASE "{name}"')

    def create(self) -> None:
        self._recreate()
        with self.berinia(autocommit=True) as conn:
            conn.execute(BERINIA_SCHEMA.read_text())
            conn.execute("INSERT INTO niches (name) VALUES ('restaurant')")
            conn.execute(
                "INSERT INTO campaigns (name, agent, status, niche_id) "
                "SELECT 'Bench campaign', 'bench', 'active', id FROM niches"
            )

    def drop(self) -> None:
        self._recreate(drop_only=True)


@contextmanager
def bench_databases(keep: bool = False):
    """Create fresh bench databases, point this process's Django at them, drop them afterwards."""
    dbs = BenchDatabases(configured_urls())
    dbs.create()
    os.environ.update(dbs.urls)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        yield dbs
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            dbs.drop()
