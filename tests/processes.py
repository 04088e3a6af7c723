"""Real processes for tests: `manage.py` with a clean environment, gunicorn in its own process group.

Shared by tests/analytics/test_production.py and tests/faults/: every process a test starts runs in a
new session, and `serving()` stops the whole group (SIGTERM, then SIGKILL) however the test ends.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = [
    str(Path(PYTHON).parent / "gunicorn"),
    "callbot_site.wsgi:application",
    "-c",
    "python:callbot_site.logging_gunicorn",
]
# The documented production environment (.env.example, docs/deployment.md), with a real-looking secret.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "callbot_site.settings.production",
    "SECRET_KEY": "k3Yq9-example-only-Zt7vW2pX8rL5mN1bC4dF6gH0jK-sT9uV3wY7zA2eR5",
    "ALLOWED_HOSTS": "callbot.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://callbot.example.org",
    "DATABASE_URL": "postgres://callbot:secret@127.0.0.1:5432/callbot",
    "BERINIA_DATABASE_URL": "postgres://exporter:secret@127.0.0.1:5432/berinia",
    "WEBHOOKS_SIGNING_KEY": "wh-example-only-9fQ2mX7vL4pR8sT1yU6zA3bC5dE0gH",
}


def run_manage(*arguments: str, env: dict) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [PYTHON, "manage.py", *arguments], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, **headers) -> tuple[int, bytes]:
    """(status, body) without following redirects."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's whole process group (make, gunicorn and its workers), SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # gunicorn's workers may outlive make by a moment
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


@contextlib.contextmanager
def serving(command: list[str], env: dict, log: Path, port: int, start_seconds: float = 30):
    """Run `command` in its own process group until the port answers; yield the base URL; stop them all."""
    with log.open("w") as output:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        assert server.poll() is None, f"{command} exited {server.returncode}:\n{log.read_text()}"
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)
