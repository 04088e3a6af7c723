"""SLOW: a real job worker (`manage.py procrastinate worker`) whose database is reached through PgBouncer.

Its own psycopg pool takes the settings' OPTIONS (no prepared statement behind PgBouncer); periodic jobs are
deferred and run once per slot, as on a direct connection (tests/jobs/test_two_workers.py).
"""

import os
import subprocess
from collections import Counter

import pytest
from django.db import connection

from tests.jobs.workers import JOB_TABLES, notes, rows, wait_for
from tests.pooler.conftest import db_names
from tests.processes import PYTHON, ROOT, stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]
TICKS = 3


@pytest.fixture
def clean_jobs():
    """No job before (the flush of earlier transactional tests leaves procrastinate's tables) nor after."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {JOB_TABLES}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {JOB_TABLES}")


def test_a_worker_through_pgbouncer_runs_its_periodic_jobs_once_each(bouncer, tmp_path, clean_jobs):
    names = db_names()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "tests.jobs.worker_settings",
        "DATABASE_URL": bouncer.url(names["default"]),
        "BERINIA_DATABASE_URL": bouncer.url(names["berinia"]),
        "DATABASE_POOLER": "pgbouncer",
        "JOBS_TEST_DIR": str(tmp_path),
        "JOBS_TEST_FAST_SCHEDULES": "test_tick",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "procrastinate", "worker", "--name", "pooled"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: len(set(notes(tmp_path, "ticks"))) >= TICKS, what=f"{TICKS} ticks", logs=[log])
    finally:
        stop(worker)

    ticks = Counter(line.split()[0] for line in notes(tmp_path, "ticks"))
    assert set(ticks.values()) == {1}, ticks
    assert rows("SELECT task_name FROM procrastinate_jobs WHERE status = 'failed'") == []
    text = log.read_text()
    assert "prepared statement" not in text and "Traceback" not in text, text[-3000:]
