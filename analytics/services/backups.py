"""Backups: `pg_dump -Fc` of the callbot database, and `pg_restore` into an empty database.

A dump is written to `<path>.partial` and renamed when pg_dump succeeds, so a file with the
final name is always a complete archive. A restore refuses a database that already has
tables: restoring over live data would mix two histories.

A dump is a copy of customer data: its directory is 0700 and the file 0600, created by us
(O_EXCL | O_NOFOLLOW: a file or symlink already at `<path>.partial` is refused, never followed),
and pg_dump writes to that descriptor. Live credentials and stored responses stay out: the
data of the sessions and of the idempotency keys is excluded (the tables are kept, empty).
"""

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import environ
import psycopg
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connections
from django.utils import timezone

from analytics.errors import BackupFailed
from core.errors import Conflict, InvalidInput
from idempotency.models import IdempotencyKey

from .pg_tools import PgTool, find_tool, libpq_environment, libpq_params

TIMEOUT_SECONDS = 6 * 60 * 60
# Rows never copied into a dump: session keys log anyone in; stored responses quote customers.
EXCLUDED_TABLE_DATA = (Session._meta.db_table, IdempotencyKey._meta.db_table)
_COUNT_TABLES_SQL = """
SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
"""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    seconds: float
    tool: PgTool


@dataclass(frozen=True)
class RestoreReport:
    database: str
    tables: int
    seconds: float
    tool: PgTool


def default_backup_path(database: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BACKUP_DIR) / f"{database}-{stamp}.dump"


def configured_params(alias: str = "default") -> dict[str, str]:
    return libpq_params(connections[alias].settings_dict)


def params_from_url(url: str) -> dict[str, str]:
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise InvalidInput.for_field("target_url", f"Not a database URL ({exc.__class__.__name__}).") from exc
    if not config.get("NAME") or "postgresql" not in config.get("ENGINE", ""):
        raise InvalidInput.for_field("target_url", "Give a postgres:// URL with a database name.")
    return libpq_params(config)


def _connect(params: dict[str, str]) -> psycopg.Connection:
    try:
        return psycopg.connect(**params, connect_timeout=10, autocommit=True)
    except psycopg.OperationalError as exc:
        raise BackupFailed(f"Cannot connect to database {params['dbname']}: {str(exc).strip()}") from exc


def _inspect(params: dict[str, str]) -> tuple[int, int]:
    """(server major version, number of tables outside the system schemas) of a database."""
    with _connect(params) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
        tables = conn.execute(_COUNT_TABLES_SQL).fetchone()[0]
    return major, tables


def _run(tool: PgTool, arguments: list[str], params: dict[str, str], stdout: int = subprocess.PIPE) -> None:
    try:
        result = subprocess.run(
            [str(tool.path), *arguments],
            env=libpq_environment(params),
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupFailed(f"{tool.path.name} did not finish within {TIMEOUT_SECONDS} s.") from exc
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupFailed(f"{tool.path.name} failed (exit {result.returncode}): {tail}")


def backup_db(*, path: Path | None = None, alias: str = "default") -> BackupReport:
    params = configured_params(alias)
    path = Path(path) if path else default_backup_path(params["dbname"])
    if os.path.lexists(path):
        raise Conflict(f"{path} already exists; give another path (backups are never overwritten).")
    if path.parent == Path(settings.BACKUP_DIR):
        _private_backup_dir(path.parent)
    elif not path.parent.is_dir():
        raise InvalidInput.for_field("path", f"The directory {path.parent} does not exist.")
    major, _ = _inspect(params)
    tool = find_tool("pg_dump", major)
    partial = path.with_name(path.name + ".partial")
    started = time.monotonic()
    fd = _create_private(partial)
    try:
        excluded = [f"--exclude-table-data={table}" for table in EXCLUDED_TABLE_DATA]
        _run(tool, ["--format=custom", *excluded, params["dbname"]], params, stdout=fd)
        os.fsync(fd)
        _publish(partial, path)
    finally:
        os.close(fd)
        partial.unlink(missing_ok=True)
    return BackupReport(path=path, size_bytes=path.stat().st_size, seconds=time.monotonic() - started, tool=tool)


def _private_backup_dir(directory: Path) -> None:
    """BACKUP_DIR, created 0700; an existing one of ours is tightened to 0700 (never someone else's)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_uid == os.geteuid():
        directory.chmod(0o700)


def _create_private(partial: Path) -> int:
    """A new 0600 file opened for writing; whatever already sits at `partial` (file or symlink) is refused."""
    try:
        return os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise Conflict(
            f"{partial} already exists (another backup running, or left by an interrupted one); "
            "check and remove it, or give another path."
        ) from None


def _publish(partial: Path, path: Path) -> None:
    """Give the complete archive its final name, never replacing a file that appeared meanwhile."""
    refusal = Conflict(f"{path} already exists; give another path (backups are never overwritten).")
    try:
        os.link(partial, path, follow_symlinks=False)
    except FileExistsError:
        raise refusal from None
    except OSError:  # a file system without hard links: a rename, after one more look
        if os.path.lexists(path):
            raise refusal from None
        partial.rename(path)


def restore_db(*, path: Path, target_url: str | None = None) -> RestoreReport:
    """Restore a custom-format dump into the configured database, or into `target_url`; both must be empty."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput.for_field("path", f"{path} does not exist or is not a file.")
    params = params_from_url(target_url) if target_url else configured_params()
    major, tables = _inspect(params)
    if tables:
        raise Conflict(
            f"Database {params['dbname']} is not empty ({tables} tables). Restore into an empty database "
            "(createdb NAME, then --target-url or DATABASE_URL pointing at it)."
        )
    tool = find_tool("pg_restore", major)
    listing = subprocess.run([str(tool.path), "--list", str(path)], capture_output=True, text=True, timeout=60)
    if listing.returncode != 0:
        raise InvalidInput.for_field("path", f"{path} is not a pg_dump custom-format archive.")
    started = time.monotonic()
    arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run(tool, [*arguments, f"--dbname={params['dbname']}", str(path)], params)
    _, tables = _inspect(params)
    return RestoreReport(database=params["dbname"], tables=tables, seconds=time.monotonic() - started, tool=tool)
