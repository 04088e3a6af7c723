"""`make run`'s script: the development server and a worker beside it; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys

import pytest

from tests.jobs.workers import database_url, rows, wait_for
from tests.processes import ROOT, free_port, get


@pytest.mark.django_db(transaction=True)
def test_run_dev_serves_runs_a_worker_and_ctrl_c_stops_both(workers, tmp_path):
    port = free_port()
    log = tmp_path / "run_dev.log"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "PY": str(ROOT / ".venv" / "bin" / "python"),
        "DJANGO_SETTINGS_MODULE": "callbot_site.settings.local",
        "DATABASE_URL": database_url(),
        "BERINIA_DATABASE_URL": database_url("berinia"),
    }
    with log.open("w") as output:
        # A terminal's Ctrl-C goes to the foreground process group: here, the script's own session.
        script = subprocess.Popen(
            [*AS_FROM_A_TERMINAL, "scripts/run_dev.sh", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: rows("SELECT 1 FROM procrastinate_workers"), what="the worker", logs=[log])
        wait_for(lambda: _answers(port), what="the development server", logs=[log])
        assert f"http://127.0.0.1:{port}/" in log.read_text()

        os.killpg(script.pid, signal.SIGINT)
        try:
            assert script.wait(timeout=30) != 0
        except subprocess.TimeoutExpired:
            pytest.fail(f"Ctrl-C did not stop run_dev.sh in 30 s; still running:\n{_group_processes(script.pid)}"
                        f"\nits output:\n{log.read_text()}")  # fmt: skip

        # The worker stopped gracefully (it unregisters itself) and nothing of the group is left.
        wait_for(lambda: not rows("SELECT 1 FROM procrastinate_workers"), timeout=30, what="the worker to stop")
        wait_for(lambda: not _group_alive(script.pid), timeout=30, what="every process to exit", logs=[log])
    finally:
        if _group_alive(script.pid):
            os.killpg(script.pid, signal.SIGKILL)


def _answers(port: int) -> bool:
    try:
        status, _ = get(f"http://127.0.0.1:{port}/healthz")
    except OSError:
        return False
    return status == 200


# A terminal's shell runs `make run` with Ctrl-C, Ctrl-\\ and hang-up at their defaults. A suite started in the
# background (`make test &`, nohup) ignores them, and a child inherits ignored signals, which even bash cannot
# undo: the script would never see the Ctrl-C. So it is started through Python, which restores them, then execs.
AS_FROM_A_TERMINAL = [
    sys.executable,
    "-c",
    "import os, signal, sys\n"
    "for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP): signal.signal(sig, signal.SIG_DFL)\n"
    "os.execv(sys.argv[1], sys.argv[1:])",
]


def _group_processes(group: int) -> str:
    columns = "pid,stat,etime,blocked,ignored,args"  # blocked / ignored: the signal masks, in hexadecimal
    return subprocess.run(["ps", "-o", columns, "-g", str(group)], capture_output=True, text=True).stdout


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
