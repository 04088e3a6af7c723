"""Test-only jobs, imported by the workers of tests/jobs (worker_settings.PROCRASTINATE_IMPORT_PATHS).

They write what they do to files in JOBS_TEST_DIR, one line per event, with the worker's pid: the tests
read there how often, and in which process, each job body really ran.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.db import OperationalError
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app


def _note(name: str, line: str) -> None:
    with (Path(settings.JOBS_TEST_DIR) / name).open("a") as notes:
        notes.write(f"{line} {os.getpid()}\n")


@app.periodic(cron=getattr(settings, "BACKGROUND_JOB_SCHEDULES", {}).get("test_tick", "0 0 1 1 *"))
@app.task(name="tests.jobs.tick")
def tick(timestamp: int) -> None:
    _note("ticks", str(timestamp))


@app.task(name="tests.jobs.hold")
def hold(*, seconds: float = 60) -> None:
    """Runs until the test creates `release` (or `seconds` pass): long enough to be killed in the middle."""
    _note("hold", "start")
    deadline = time.monotonic() + seconds
    while not (Path(settings.JOBS_TEST_DIR) / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    _note("hold", "done")


@app.task(
    name="tests.jobs.always_fails",
    retry=RetryStrategy(max_attempts=2, exponential_wait=1, retry_exceptions=[OperationalError]),
)
def always_fails() -> None:
    _note("fails", "attempt")
    raise OperationalError("the test's database is unreachable on purpose")
