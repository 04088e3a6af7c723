"""SLOW: the database stops for ~10 s under load; gunicorn (production settings, 2 sync workers) rides it out.

A second PostgreSQL cluster (the system binaries, as the `postgres` user when run as root) serves only this
test, so stopping it touches nothing else. Bot turns keep coming from a few threads, each turn with its own
Idempotency-Key, retried with the same key on a 503 or a refused connection.
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import requests

from tests.processes import GUNICORN, PRODUCTION_ENV, free_port, run_manage, serving

PG_BIN = Path("/usr/lib/postgresql/15/bin")
OUTAGE_SECONDS = 10
LOAD_THREADS = 4
HTTPS = {"Host": "callbot.example.org", "X-Forwarded-Proto": "https"}

pytestmark = [
    pytest.mark.skipif(not (PG_BIN / "pg_ctl").exists(), reason="PostgreSQL 15 server binaries not installed"),
    pytest.mark.timeout(120),
]


class Cluster:
    """A throw-away PostgreSQL cluster on a unix socket in its own directory (as `postgres` when we are root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="callbot-flt-", dir="/tmp"))  # short: unix socket path limit
        self.data = self.dir / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def _run(self, tool: str, *arguments: str) -> None:
        command = [*self.as_user, str(PG_BIN / tool), *arguments]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{tool}: {result.stdout}{result.stderr}"

    def start(self) -> None:
        options = f"-k {self.dir} -c listen_addresses='' -F"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@/{self.dir}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host=str(self.dir), user="postgres", dbname=dbname, autocommit=True)

    def remove(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    cluster = Cluster()
    try:
        cluster.start()
        with cluster.connect() as admin:
            admin.execute("CREATE DATABASE callbot")
            admin.execute("CREATE DATABASE berinia")
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def server(cluster, tmp_path):
    """gunicorn, production settings, 2 sync workers, on the throw-away cluster; (base URL, log, bot token)."""
    port = free_port()
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": cluster.url("callbot"),
        "BERINIA_DATABASE_URL": cluster.url("berinia"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    for arguments in (("migrate", "--noinput"), ("collectstatic", "--noinput", "--verbosity", "0")):
        result = run_manage(*arguments, env=env)
        assert result.returncode == 0, result.stderr
    created = run_manage("create_api_client", "outage-bot", env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    log = tmp_path / "gunicorn.log"
    with serving(GUNICORN, env, log, port) as base:
        yield base, log, token


class Load:
    """Threads sending bot turns; each logical turn keeps its key until it is answered 201 (or 200, a replay)."""

    def __init__(self, base: str, token: str):
        self.url = f"{base}/api/v1/turns/"
        self.headers = {**HTTPS, "Authorization": f"Token {token}"}
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[tuple[float, int | None, str | None, dict | None]] = []  # (time, status, Retry-After, body)
        self.turns: list[str] = []  # customer ids of the logical turns answered 201/200
        self.threads = [threading.Thread(target=self._work, args=(n,)) for n in range(LOAD_THREADS)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _work(self, worker: int) -> None:
        session = requests.Session()
        number = 0
        while not self.stopping.is_set():
            number += 1
            self._turn(session, f"W{worker}-{number}")

    def _turn(self, session: requests.Session, customer: str) -> None:
        key = str(uuid.uuid4())
        body = {
            "interaction": {"customer_id": customer, "channel": "phone", "intent": "update_address"},
            "message": {"message": "Je déménage"},
            "response": {"response_text": "C'est noté."},
            "status": "completed",
        }
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                response = session.post(
                    self.url, json=body, headers={**self.headers, "Idempotency-Key": key}, timeout=5
                )
            except requests.ConnectionError:
                self._answer(None, None, None)
                time.sleep(0.2)
                continue
            payload = (
                response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
            )
            self._answer(response.status_code, response.headers.get("Retry-After"), payload)
            if response.status_code in (200, 201):
                with self.lock:
                    self.turns.append(customer)
                return
            if response.status_code != 503:
                return  # recorded; the test fails on it
            time.sleep(0.2)

    def _answer(self, status, retry_after, payload) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), status, retry_after, payload))

    def successes_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for at, status, _, _ in self.answers if at > moment and status in (200, 201))


def _poll_health(base: str, stopping: threading.Event, seen: list) -> None:
    while not stopping.is_set():
        try:
            status = requests.get(f"{base}/healthz", timeout=2).status_code
        except requests.RequestException:
            status = None
        seen.append((time.monotonic(), status))
        time.sleep(0.1)


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_slow_database_outage_under_load_is_503s_then_recovers_alone(cluster, server):
    base, log, token = server
    health: list[tuple[float, int | None]] = []
    polling = threading.Event()
    poller = threading.Thread(target=_poll_health, args=(base, polling, health))
    with Load(base, token) as load:
        assert _wait_for(lambda: len(load.turns) >= 20, 20), load.answers[-5:]
        poller.start()
        stopping = time.monotonic()
        cluster.stop("fast")
        stopped = time.monotonic()
        time.sleep(2)
        # An agent's browser with a session cookie: the session read fails in a middleware, below ours.
        admin = requests.get(
            f"{base}/admin/login/", headers={**HTTPS, "Cookie": "sessionid=" + "a1b2c3d4" * 4}, timeout=5
        )
        time.sleep(max(0.0, stopped + OUTAGE_SECONDS - time.monotonic()))
        restarting = time.monotonic()
        cluster.start()
        restarted = time.monotonic()
        assert _wait_for(lambda: load.successes_since(restarted) > 0, 20), "no turn succeeded after the restart"
        recovered = min(at for at, status, _, _ in load.answers if at > restarted and status in (200, 201))
        time.sleep(1)
        polling.set()
    poller.join(timeout=10)

    outage = [answer for answer in load.answers if stopped <= answer[0] <= restarting]
    failed = [answer for answer in load.answers if answer[1] != 201 and answer[1] != 200]
    print(
        f"\noutage: {len(outage)} API answers during {restarting - stopped:.1f} s, {len(failed)} failed in all "
        f"({sum(1 for a in failed if a[1] is None)} refused connections); logical turns: {len(load.turns)}; "
        f"healthz 503 after {min(at for at, status in health if status == 503) - stopping:.2f} s; "
        f"first turn recovered {recovered - restarted:.2f} s after the restart"
    )
    # Every answer during the outage, and every failed answer at all, is the API's 503 — never a 500.
    assert outage and all(status == 503 for _, status, _, _ in outage), {a[1] for a in outage}
    for _, status, retry_after, payload in failed:
        assert status == 503, status
        assert retry_after == "5"
        assert payload == {
            "type": "database_unavailable",
            "detail": "The database is temporarily unavailable; retry shortly.",
            "errors": {},
        }
    # The load balancer's probe says so within 2 s, and says ok again after the restart.
    assert min(at for at, status in health if status == 503) - stopping <= 2
    assert health[-1][1] == 200
    # A page of the back-office: the styled 503, not a 500.
    assert admin.status_code == 503 and admin.headers["Retry-After"] == "5"
    assert "Temporarily unavailable" in admin.text
    # Recovered without a gunicorn restart; every logical turn recorded exactly once despite the retries.
    assert recovered - restarted < 10
    assert len(set(load.turns)) == len(load.turns)
    with cluster.connect("callbot") as conn:
        interactions = conn.execute("SELECT customer_id, count(*) FROM interactions GROUP BY customer_id").fetchall()
        messages = conn.execute("SELECT count(*) FROM conversation_messages").fetchone()[0]
    assert sorted(interactions) == sorted((customer, 1) for customer in load.turns)
    assert messages == 2 * len(load.turns)
    # The log: no traceback, no 500, and about one line per failed request besides gunicorn's access line
    # (healthz 503s are logged by django.request; a slack of one line per API-handler 503 for timing).
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert not any("Traceback" in json.dumps(line) for line in lines)
    statuses = Counter(line["message"].split()[2] for line in lines if line.get("name") == "gunicorn.access")
    assert set(statuses) <= {"200", "201", "302", "503"}, statuses
    gunicorn_own = {("gunicorn.access", "INFO"), ("gunicorn.error", "INFO")}  # access, start-up and shut-down
    problems = Counter(
        line.get("name") for line in lines if (line.get("name"), line.get("levelname")) not in gunicorn_own
    )
    assert problems.total() <= statuses["503"] + problems["core.api.exceptions"], (problems, statuses)
    print(f"log: {statuses['503']} requests answered 503, app lines {dict(problems)}")
