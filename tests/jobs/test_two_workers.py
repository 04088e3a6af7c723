"""Two real workers on one database: each periodic job is deferred and run once per slot, never twice."""

import re
from collections import Counter

import pytest
from django.conf import settings

from tests.jobs.workers import notes, rows, wait_for

SLOTS = 5
DEFERRED = re.compile(r"Periodic job (\S+)\[\d+\]\(timestamp=(\d+)\) deferred for timestamp")


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_periodic_job_once_per_slot(workers):
    every_schedule = (*settings.BACKGROUND_JOB_SCHEDULES, "test_tick")
    first = workers.start("first", fast=every_schedule)
    second = workers.start("second", fast=every_schedule)
    assert rows("SELECT count(*) FROM procrastinate_workers")[0][0] == 2

    wait_for(lambda: len(set(notes(workers.directory, "ticks"))) >= SLOTS, what=f"{SLOTS} ticks", logs=workers.logs)
    workers.stop_all()  # graceful: running jobs finish
    assert first.returncode == second.returncode == 0

    # The job body itself saw each slot once.
    ticks = Counter(line.split()[0] for line in notes(workers.directory, "ticks"))
    assert len(ticks) >= SLOTS
    assert set(ticks.values()) == {1}, ticks

    # One job per task and slot, every job started at most once, none failed.
    per_slot = rows(
        "SELECT task_name, args->>'timestamp', count(*) FROM procrastinate_jobs GROUP BY 1, 2 HAVING count(*) > 1"
    )
    assert per_slot == []
    starts = rows(
        "SELECT job_id, count(*) FROM procrastinate_events WHERE type = 'started' GROUP BY 1 HAVING count(*) > 1"
    )
    assert starts == []
    assert rows("SELECT task_name FROM procrastinate_jobs WHERE status = 'failed'") == []
    periodic_tasks = {name for (name,) in rows("SELECT DISTINCT task_name FROM procrastinate_jobs")}
    assert {"handoff.tasks.send_ticket_reminders", "analytics.tasks.purge_old_data_nightly", "tests.jobs.tick"} <= (
        periodic_tasks
    )

    # Both workers try every slot; each job was deferred by exactly one of them, as each one's log says.
    by_first, by_second = (set(DEFERRED.findall(log.read_text())) for log in workers.logs)
    assert by_first.isdisjoint(by_second)
    assert by_first | by_second == set(rows("SELECT task_name, args->>'timestamp' FROM procrastinate_jobs"))
