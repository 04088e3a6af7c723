"""Real `manage.py procrastinate worker` processes against the pytest database, and ways to wait on them."""

import contextlib
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from tests.processes import PYTHON, ROOT, stop

JOB_TABLES = "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"


def database_url(alias: str = "default") -> str:
    db = connections[alias].settings_dict
    location = f"/{db['HOST']}" if db["HOST"].startswith("/") else f"{db['HOST']}:{db['PORT'] or 5432}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{location}/{db['NAME']}"


def wait_for(condition, *, timeout: float = 60, what: str = "the condition", logs=()):
    """Poll `condition` until it returns something truthy; fail with the workers' logs after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    shown = "\n".join(f"--- {log.name}\n{log.read_text()[-4000:]}" for log in logs)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{shown}")


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Workers:
    """Starts workers in their own sessions; stops every one of them however the test ends."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    @property
    def logs(self) -> list[Path]:
        return [log for _, log in self.processes]

    def start(self, name: str, *, fast: tuple[str, ...] = ()) -> subprocess.Popen:
        # Workers are numbered in order; a starting worker may prune dead ones, so counting would not do.
        [(last_id,)] = rows("SELECT coalesce(max(id), 0) FROM procrastinate_workers")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "DJANGO_SETTINGS_MODULE": "tests.jobs.worker_settings",
            "DATABASE_URL": database_url(),
            "BERINIA_DATABASE_URL": database_url("berinia"),
            "JOBS_TEST_DIR": str(self.directory),
            "JOBS_TEST_FAST_SCHEDULES": ",".join(fast),
        }
        log = self.directory / f"{name}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [PYTHON, "manage.py", "procrastinate", "worker", "--name", name],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append((process, log))
        wait_for(
            lambda: process.poll() is not None or rows("SELECT 1 FROM procrastinate_workers WHERE id > %s", [last_id]),
            timeout=60,
            what=f"worker {name} to register",
            logs=[log],
        )
        assert process.poll() is None, f"worker {name} exited {process.returncode}:\n{log.read_text()}"
        return process

    def stop_all(self) -> None:
        for process, _ in self.processes:
            with contextlib.suppress(ProcessLookupError):
                stop(process)


def notes(directory: Path, name: str) -> list[str]:
    path = directory / name
    return path.read_text().splitlines() if path.exists() else []
