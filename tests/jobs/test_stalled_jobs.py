"""kill -9 of a worker in the middle of a job: the job runs again elsewhere and completes once.

And a job that keeps failing: retried with backoff, then `failed`, which the admin lists.
"""

import os
import signal

import pytest
from procrastinate.contrib.django import app

from tests.jobs.workers import notes, rows, wait_for


def _events(job_id: int) -> list[str]:
    return [kind for (kind,) in rows("SELECT type FROM procrastinate_events WHERE job_id = %s ORDER BY id", [job_id])]


@pytest.mark.django_db(transaction=True)
def test_a_job_of_a_killed_worker_is_retried_and_completes_once(workers, admin_client):
    doomed = workers.start("doomed")
    job_id = app.configure_task("tests.jobs.hold").defer(seconds=60)
    wait_for(lambda: notes(workers.directory, "hold"), what="the job to start", logs=workers.logs)

    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    assert rows("SELECT status FROM procrastinate_jobs WHERE id = %s", [job_id]) == [("doing",)]
    (workers.directory / "release").touch()
    failing_id = app.configure_task("tests.jobs.always_fails").defer()
    survivor = workers.start("survivor", fast=("retry_stalled_jobs",))

    # No heartbeat from the dead worker for 3 s: retry_stalled_jobs puts the job back; the survivor runs it.
    wait_for(
        lambda: rows("SELECT status FROM procrastinate_jobs WHERE id = %s", [job_id]) == [("succeeded",)],
        what="the stalled job to complete",
        logs=workers.logs,
    )
    assert notes(workers.directory, "hold") == [f"start {doomed.pid}", f"start {survivor.pid}", f"done {survivor.pid}"]
    assert "1 stalled job(s) retried" in (workers.directory / "survivor.log").read_text()
    events = _events(job_id)
    assert (events.count("started"), events.count("deferred_for_retry"), events[-1]) == (2, 1, "succeeded")

    # 1 try + 2 retries (1 s apart): 3 attempts, then failed for good; the admin's failed-jobs list shows it.
    wait_for(
        lambda: rows("SELECT status, attempts FROM procrastinate_jobs WHERE id = %s", [failing_id]) == [("failed", 3)],
        what="the failing job to give up",
        logs=workers.logs,
    )
    assert len(notes(workers.directory, "fails")) == 3
    assert _events(failing_id).count("deferred_for_retry") == 2
    assert "the test's database is unreachable on purpose" in (workers.directory / "survivor.log").read_text()
    page = admin_client.get("/admin/procrastinate/procrastinatejob/", {"status": "failed"})
    assert page.status_code == 200
    listed = page.content.decode()
    assert listed.count('name="_selected_action"') == 1
    assert f'value="{failing_id}"' in listed
    assert "tests.jobs.always_fails" in listed and "Failed" in listed and "<strong>Attempts:</strong>" in listed


@pytest.mark.django_db(transaction=True)
def test_a_stalled_duty_whose_next_run_is_queued_is_closed_and_the_next_run_goes_ahead(workers):
    """A duty killed mid-run holds its lock; the next minute's run waits behind it with the same queueing lock.

    Putting the dead run back to `todo` would collide with the waiting one: it is closed as failed instead,
    and the waiting run (no longer blocked by the lock) does the duty.
    """
    [(dead_worker,)] = rows(
        "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') RETURNING id"
    )
    reminders = app.configure_task("handoff.tasks.send_ticket_reminders")
    killed = reminders.defer(timestamp=60)
    rows(
        "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s RETURNING id",
        [dead_worker, killed],
    )
    waiting = reminders.defer(timestamp=120)
    assert rows("SELECT lock, queueing_lock FROM procrastinate_jobs WHERE id = %s", [waiting]) == [
        ("handoff.ticket_reminders", "handoff.ticket_reminders")
    ]

    workers.start("survivor", fast=("retry_stalled_jobs",))

    wait_for(
        lambda: (
            rows("SELECT status FROM procrastinate_jobs WHERE id IN (%s, %s) ORDER BY id", [killed, waiting])
            == [("failed",), ("succeeded",)]
        ),
        what="the dead run closed and the waiting one done",
        logs=workers.logs,
    )
    assert rows("SELECT task_name FROM procrastinate_jobs WHERE status = 'failed' AND id <> %s", [killed]) == []
