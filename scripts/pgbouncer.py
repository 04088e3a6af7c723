"""PgBouncer in transaction mode in front of the embedded PostgreSQL (or any cluster), for tests and the bench.

Debian's `pgbouncer` package (1.18; scripts/install_pgbouncer.sh installs it) listens on 127.0.0.1 and
forwards every database name to the upstream cluster as the `postgres` role, pooling in *transaction*
mode, as production does (docs/deployment.md, "Connection pooling"). Its ini, auth file, log and pid file
live in one directory (default `.localdb/pgbouncer/`, git-ignored with the cluster).

    python scripts/pgbouncer.py start [--port N] [--pool-size N] [--session-db NAME ...]
    python scripts/pgbouncer.py status
    python scripts/pgbouncer.py stop

`start` prints the port and writes `pgbouncer.env` there: DATABASE_URL and BERINIA_DATABASE_URL through
PgBouncer, and DATABASE_POOLER=pgbouncer. PgBouncer refuses to run as root, and the embedded cluster's socket
directory is private to its OS user (`pgserver`), so as root it runs as the owner of the socket directory.
"""

import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".localdb" / "pgbouncer"
EMBEDDED_ENV = ROOT / ".localdb" / "database.env"
DATABASES = {"DATABASE_URL": "callbot", "BERINIA_DATABASE_URL": "berinia"}
INSTALL_HINT = "pgbouncer is not installed: run scripts/install_pgbouncer.sh (apt-get install pgbouncer, as root)"


def binary() -> str | None:
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(path, os.X_OK)), None
    )


@dataclass(frozen=True)
class Bouncer:
    """A running PgBouncer: where it listens and where its files are."""

    port: int
    directory: Path

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def conninfo(self, dbname: str) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "user": "postgres", "dbname": dbname}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_upstream() -> tuple[str, int]:
    """(host, port) of the cluster that scripts/localdb.py started, read from its database.env."""
    import environ

    if not EMBEDDED_ENV.exists():
        sys.exit("no embedded PostgreSQL here: run `make db` (scripts/localdb.py start) first")
    for line in EMBEDDED_ENV.read_text().splitlines():
        name, _, value = line.partition("=")
        if name == "DATABASE_URL":
            config = environ.Env.db_url_config(value)
            return config["HOST"], int(config.get("PORT") or 5432)
    sys.exit(f"{EMBEDDED_ENV} names no DATABASE_URL")


def _run_as(host: str) -> str | None:
    """The OS user PgBouncer runs as when we are root: whoever owns the upstream socket directory."""
    if os.geteuid() != 0:
        return None
    if host.startswith("/"):
        owner = Path(host).stat().st_uid
        if owner != 0:
            return pwd.getpwuid(owner).pw_name
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    sys.exit("running as root and no unprivileged user to run pgbouncer as")


def _ini(
    directory: Path, port: int, host: str, upstream_port: int, pool_size: int, session_databases: dict[str, str]
) -> str:
    upstream = f"host={host} port={upstream_port} user=postgres"
    # A name whose clients need session state across transactions (temporary tables) gets session pooling.
    sessions = "".join(
        f"{name} = {upstream} dbname={dbname} pool_mode=session\n" for name, dbname in session_databases.items()
    )
    return f"""[databases]
{sessions}* = {upstream}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "userlist.txt"}
admin_users = postgres
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
max_db_connections = 0
server_lifetime = 3600
server_idle_timeout = 600
; psycopg sends extra_float_digits; Django sends no other startup parameter.
ignore_startup_parameters = extra_float_digits,options
logfile = {directory / "pgbouncer.log"}
pidfile = {directory / "pgbouncer.pid"}
log_connections = 0
log_disconnections = 0
"""


def _pid(directory: Path) -> int | None:
    try:
        pid = int((directory / "pgbouncer.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _port(directory: Path) -> int | None:
    ini = directory / "pgbouncer.ini"
    if not ini.exists():
        return None
    for line in ini.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "listen_port":
            return int(value)
    return None


def start(
    *,
    directory: Path = DEFAULT_DIR,
    port: int | None = None,
    upstream: tuple[str, int] | None = None,
    pool_size: int = 4,
    session_databases: dict[str, str] | None = None,
) -> Bouncer:
    """Start PgBouncer (restarting one already running from `directory`) and wait until it accepts connections."""
    executable = binary()
    if executable is None:
        raise RuntimeError(INSTALL_HINT)
    stop(directory=directory, quiet=True)
    host, upstream_port = upstream or embedded_upstream()
    port = port or _free_port()
    user = _run_as(host)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "userlist.txt").write_text('"postgres" ""\n')
    (directory / "pgbouncer.ini").write_text(
        _ini(directory, port, host, upstream_port, pool_size, session_databases or {})
    )
    (directory / "pgbouncer.log").write_text("")
    if user:
        for path in (directory, *directory.iterdir()):
            shutil.chown(path, user)
    command = [*(["runuser", "-u", user, "--"] if user else []), executable, "-d", str(directory / "pgbouncer.ini")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"pgbouncer did not start: {result.stderr or result.stdout}{_log_tail(directory)}")
    bouncer = Bouncer(port=port, directory=directory)
    _wait_until_ready(bouncer)
    return bouncer


def _log_tail(directory: Path) -> str:
    log = directory / "pgbouncer.log"
    return "\n" + "\n".join(log.read_text().splitlines()[-10:]) if log.exists() else ""


def _wait_until_ready(bouncer: Bouncer, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", bouncer.port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on port {bouncer.port}{_log_tail(bouncer.directory)}")


def stop(*, directory: Path = DEFAULT_DIR, quiet: bool = False) -> None:
    """Shut PgBouncer down at once (SIGTERM: client connections are closed) and wait until it is gone."""
    pid = _pid(directory)
    if pid is None:
        if not quiet:
            print("no pgbouncer running here")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _pid(directory) == pid:
        time.sleep(0.05)
    if _pid(directory) == pid:
        os.kill(pid, signal.SIGKILL)
    if not quiet:
        print("pgbouncer stopped")


def running(directory: Path = DEFAULT_DIR) -> Bouncer | None:
    port = _port(directory)
    return Bouncer(port=port, directory=directory) if _pid(directory) and port else None


def _write_env(bouncer: Bouncer) -> Path:
    lines = [f"{var}={bouncer.url(dbname)}" for var, dbname in DATABASES.items()]
    path = bouncer.directory / "pgbouncer.env"
    path.write_text("\n".join([*lines, "DATABASE_POOLER=pgbouncer", ""]))
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/pgbouncer.py", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where its files live")
    parser.add_argument("--port", type=int, help="listen port (default: a free one)")
    parser.add_argument("--pool-size", type=int, default=4, help="server connections per database and user")
    parser.add_argument("--session-db", nargs="*", default=[], help="databases pooled in session mode")
    args = parser.parse_args(argv)
    if args.command == "stop":
        stop(directory=args.dir)
    elif args.command == "status":
        bouncer = running(args.dir)
        print(f"pgbouncer listening on 127.0.0.1:{bouncer.port}" if bouncer else "no pgbouncer running here")
        sys.exit(0 if bouncer else 1)
    else:
        try:
            bouncer = start(
                directory=args.dir,
                port=args.port,
                pool_size=args.pool_size,
                session_databases={name: name for name in args.session_db},
            )
        except RuntimeError as error:
            sys.exit(str(error))
        env_file = _write_env(bouncer)
        print(f"pgbouncer (transaction pooling) on 127.0.0.1:{bouncer.port}; URLs in {env_file}")
        print(f"DATABASE_URL={bouncer.url(DATABASES['DATABASE_URL'])}")


if __name__ == "__main__":
    main()
