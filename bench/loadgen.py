"""HTTP load: gunicorn serving the bench settings on 127.0.0.1, and wrk driving it.

wrk comes from Debian's packages; when it is missing the harness installs it with apt-get if it
runs as root (never in a smoke run: `make test` must not need the network), else says how.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().parent / "post.lua"
INSTALL_HINT = "wrk is not installed: `sudo apt-get install wrk` (Debian/Ubuntu package)"


def find_wrk(may_install: bool) -> str | None:
    """Path of wrk, installing the Debian package when allowed and possible."""
    found = shutil.which("wrk")
    if found or not may_install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("  · installing wrk with apt-get", file=sys.stderr, flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, **quiet)
    return shutil.which("wrk")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_count() -> int:
    """2–4 sync workers: one per core plus one, leaving room for wrk and PostgreSQL."""
    return max(2, min(4, (os.cpu_count() or 2) + 1))


@contextmanager
def gunicorn_server(env_urls: dict[str, str]):
    """Run gunicorn with the bench settings on a free local port; yield its base URL."""
    port = _free_port()
    env = {**os.environ, **env_urls, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "callbot_site.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={worker_count()}",
        "--worker-class=sync",
        "--log-level=warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def post_load(wrk: str, url: str, *, body: dict, token: str, seconds: int, connections: int, workdir: Path):
    """POST `body` to `url` for `seconds` with `connections` keep-alive connections (2 wrk threads)."""
    body_file = workdir / "body.json"
    body_file.write_text(json.dumps(body))
    env = {**os.environ, "BENCH_BODY": str(body_file), "BENCH_TOKEN": token}
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "-s", str(LUA_SCRIPT), url]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {completed.stderr.strip() or completed.stdout.strip()}"[:300])
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return LoadResult(
        requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
    )
