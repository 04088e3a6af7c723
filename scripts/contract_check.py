"""`make contract`: schemathesis with every check against a seeded local server, findings sorted.

Creates two scratch databases in the embedded cluster (callbot_contract, berinia_contract), migrates,
loads the demo data, serves the API with gunicorn on a free local port and runs, as a supervisor and
as a bot client:

    schemathesis run URL/api/v1/schema/ --checks all --max-time SECONDS --seed SEED

Every finding is either one of the justified kinds listed in docs/api.md ("An exact contract") or
unexpected; the exit status is 1 when any finding is unexpected. The databases are dropped at the end.

    python scripts/contract_check.py [--max-time 120] [--seed 7]
"""

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASES = {"DATABASE_URL": "callbot_contract", "BERINIA_DATABASE_URL": "berinia_contract"}

# (kind, what in a finding's text shows it): the findings docs/api.md explains as not defects of the contract.
JUSTIFIED = [
    ("Idempotency-Key reused with another request (422)", "idempotency_key_reused"),
    ("a reference to a row that does not exist (400 naming the field)", "is not an active agent or supervisor"),
    ("a reference to a row that does not exist (400 naming the field)", "No user with this username"),
    ("a reference to a row that does not exist (400 naming the field)", "does not exist in Berinia"),
    ("a reference to a row that does not exist (400 naming the field)", "is not a CRM action of this interaction"),
    ("a reference to a row that does not exist (400 naming the field)", "is not a queue; existing queues:"),
    ("NUL in an undeclared query parameter (400)", "The request contains a NUL"),
    ("request line over gunicorn's limit (414)", "URI Too Long"),
    ("the stateful phase adds an undeclared body field (400)", "Unknown field; allowed:"),
    ("a webhook URL Django's URLValidator refuses (400 naming the rule)", "allowed: an https:// URL"),
    ("a rule across two parameters (400)", "Must be on or before date_to"),
    ("a rule across two parameters (400)", "The range may cover at most"),
]


def embedded_socket_dir() -> str:
    env_file = ROOT / ".localdb" / "database.env"
    if not env_file.exists():
        sys.exit("contract: the embedded database is not running (make db)")
    for line in env_file.read_text().splitlines():
        if line.startswith("DATABASE_URL="):
            return "/" + urlparse(line.split("=", 1)[1]).path.lstrip("/").rsplit("/", 1)[0]
    sys.exit("contract: no DATABASE_URL in .localdb/database.env")


def recreate_databases(socket_dir: str) -> None:
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as admin:
        for name in DATABASES.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(host=socket_dir, user="postgres", dbname=DATABASES["BERINIA_DATABASE_URL"]) as berinia:
        berinia.execute((ROOT / "berinia_sync" / "berinia_schema.sql").read_text())


def drop_databases(socket_dir: str) -> None:
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as admin:
        for name in DATABASES.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"contract: manage.py {' '.join(arguments)} failed:\n{result.stderr[-2000:]}")
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(env: dict, port: int):
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "callbot_site.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(150):
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def findings(output: str) -> list[str]:
    """The text of each failing test case of a schemathesis run."""
    blocks = re.split(r"^\d+\. Test Case ID: ", output, flags=re.MULTILINE)[1:]
    return [block.split("=" * 20)[0] for block in blocks]


def kind_of(finding: str) -> str | None:
    return next((kind for kind, mark in JUSTIFIED if mark in finding), None)


def run_schemathesis(url: str, token: str, max_time: int, seed: int) -> str:
    command = [
        str(BIN / "schemathesis"),
        "--no-color",
        "run",
        f"{url}/api/v1/schema/",
        "--checks",
        "all",
        "-H",
        f"Authorization: Token {token}",
        "--max-time",
        str(max_time),
        "--seed",
        str(seed),
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=int, default=120, help="seconds per role (default 120)")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    socket_dir = embedded_socket_dir()
    recreate_databases(socket_dir)
    urls = {var: f"postgres://postgres@/{socket_dir}/{name}" for var, name in DATABASES.items()}
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "callbot_site.settings.local",
        "CALLBOT_EMBEDDED_DATABASE_URL": urls["DATABASE_URL"],  # the demo accounts are made on this cluster only
        "API_THROTTLE_BURST_RATE": "100000/s",  # a fuzzer is not the runaway bot the throttle is for
        "API_THROTTLE_RATE": "10000000/min",
        **urls,
    }
    unexpected = 0
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_demo_data")
        tokens = {
            "supervisor": manage(env, "create_api_token", "supervisor"),
            "bot": manage(env, "create_api_client", "contract-bot"),
        }
        with serving(env, free_port()) as url:
            for role, token in tokens.items():
                output = run_schemathesis(url, token, options.max_time, options.seed)
                found = findings(output)
                kinds = Counter(kind_of(finding) or "UNEXPECTED" for finding in found)
                summary = re.search(r"Test cases:\n\s*(.+)", output)
                print(f"\n== as {role}: {summary.group(1) if summary else 'no summary'}")
                for kind, count in sorted(kinds.items()):
                    print(f"  {count:4d}  {kind}")
                for finding in found:
                    if kind_of(finding) is None:
                        unexpected += 1
                        print("\n--- unexpected finding ---\n" + finding.strip()[:3000])
    finally:
        drop_databases(socket_dir)
    print(f"\ncontract: {unexpected} unexpected finding(s)")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
