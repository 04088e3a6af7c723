"""Issue #11: a job that keeps failing ends visible in the admin with its error, never silently dropped.

Real workers record each failed attempt (callbot_site/job_failures.py, a worker middleware); supervisors read
them in admin › Job failures; `remove_old_jobs` deletes them with their job, and keeps those of failed jobs.
"""

import html

import pytest
from django.test import Client
from django.urls import reverse
from procrastinate.contrib.django import app

from callbot_site.job_failures import STALLED, record_job_failure
from callbot_site.models import MESSAGE_MAX_CHARS, JobFailure
from tests.accounts.two_factor_factories import force_login
from tests.jobs.workers import rows, wait_for

FAILURES = reverse("admin:callbot_site_jobfailure_changelist")
MESSAGE = "the test's database is unreachable on purpose"  # raised by tests.jobs.always_fails


def _failures(job_id: int) -> list[tuple]:
    return list(
        JobFailure.objects.filter(job_id=job_id)
        .order_by("attempt")
        .values_list("task_name", "attempt", "error_type", "message")
    )


@pytest.mark.django_db(transaction=True)
def test_each_failed_attempt_is_recorded_and_supervisors_read_it_in_the_admin(workers, supervisor, agent):
    job_id = app.configure_task("tests.jobs.always_fails").defer()
    workers.start("worker")

    # 1 try + 2 retries, then failed for good: three attempts, three failures, each with its error.
    wait_for(
        lambda: rows("SELECT status, attempts FROM procrastinate_jobs WHERE id = %s", [job_id]) == [("failed", 3)],
        what="the failing job to give up",
        logs=workers.logs,
    )
    wait_for(lambda: len(_failures(job_id)) == 3, what="the third failure recorded", logs=workers.logs)
    assert _failures(job_id) == [
        ("tests.jobs.always_fails", attempt, "django.db.utils.OperationalError", MESSAGE) for attempt in (1, 2, 3)
    ]

    client = force_login(Client(), supervisor)
    page = client.get(FAILURES)
    assert page.status_code == 200
    assert [failure.attempt for failure in page.context["cl"].result_list] == [3, 2, 1]
    listed = page.content.decode()
    assert listed.count(html.escape(MESSAGE)) == 3
    assert f'href="{reverse("admin:procrastinate_procrastinatejob_change", args=[job_id])}"' in listed
    by_task = {
        task: client.get(FAILURES, {"task_name__exact": task}).context["cl"].result_count
        for task in ("tests.jobs.always_fails", "handoff.tasks.send_ticket_reminders")
    }
    assert by_task == {"tests.jobs.always_fails": 3, "handoff.tasks.send_ticket_reminders": 0}
    failure = JobFailure.objects.get(job_id=job_id, attempt=2)
    detail = client.get(reverse("admin:callbot_site_jobfailure_change", args=[failure.pk]))
    assert detail.status_code == 200 and html.escape(MESSAGE) in detail.content.decode()
    assert not supervisor.has_perm("callbot_site.change_jobfailure")
    assert not supervisor.has_perm("callbot_site.delete_jobfailure")

    agent_client = force_login(Client(), agent)
    assert agent_client.get(FAILURES).status_code == 403
    assert agent_client.get(reverse("admin:callbot_site_jobfailure_change", args=[failure.pk])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_stalled_attempt_is_recorded_and_old_failures_go_with_their_job(workers):
    # A job left `doing` by a worker dead for an hour: retry_stalled_jobs runs it again and records the attempt.
    [(dead_worker,)] = rows(
        "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') RETURNING id"
    )
    stalled = app.configure_task("tests.jobs.hold").defer(seconds=0)
    rows(
        "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s RETURNING id",
        [dead_worker, stalled],
    )
    # Two jobs finished four days ago (JOBS_KEEP_FINISHED_HOURS is 72), each with a failed attempt of its own.
    old_succeeded, old_failed = (app.configure_task("tests.jobs.tick").defer(timestamp=n) for n in (1, 2))
    for job_id, status in ((old_succeeded, "succeeded"), (old_failed, "failed")):
        rows("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = %s RETURNING id", [job_id])
        rows("UPDATE procrastinate_jobs SET status = %s WHERE id = %s RETURNING id", [status, job_id])
        rows("UPDATE procrastinate_events SET at = now() - interval '4 days' WHERE job_id = %s RETURNING id", [job_id])
        record_job_failure(job_id=job_id, task_name="tests.jobs.tick", attempt=1, error=ValueError("first try"))

    workers.start("survivor", fast=("retry_stalled_jobs", "remove_old_jobs"))

    wait_for(
        lambda: rows("SELECT status FROM procrastinate_jobs WHERE id = %s", [stalled]) == [("succeeded",)],
        what="the stalled job to run again and complete",
        logs=workers.logs,
    )
    [(_, attempt, error_type, message)] = _failures(stalled)
    assert (attempt, error_type) == (1, STALLED)
    assert "stopped its heartbeat" in message

    wait_for(
        lambda: not rows("SELECT 1 FROM procrastinate_jobs WHERE id = %s", [old_succeeded]),
        what="remove_old_jobs to delete the old succeeded job",
        logs=workers.logs,
    )
    wait_for(lambda: not _failures(old_succeeded), what="its failure deleted with it", logs=workers.logs)
    assert rows("SELECT status FROM procrastinate_jobs WHERE id = %s", [old_failed]) == [("failed",)]
    assert _failures(old_failed) == [("tests.jobs.tick", 1, "ValueError", "first try")]


@pytest.mark.django_db
def test_a_long_message_is_cut_and_a_nul_character_spelled_out():
    error = RuntimeError("\x00" + "x" * 5000)

    failure = record_job_failure(job_id=7, task_name="tests.jobs.always_fails", attempt=1, error=error)

    failure.refresh_from_db()
    assert failure.error_type == "RuntimeError"
    assert len(failure.message) == MESSAGE_MAX_CHARS
    assert failure.message.startswith("\\x00xxx") and failure.message.endswith("x…")


@pytest.mark.django_db
def test_the_failures_list_costs_the_same_queries_however_many_rows(supervisor, django_assert_max_num_queries):
    for attempt in range(1, 51):
        record_job_failure(job_id=attempt, task_name="tests.jobs.always_fails", attempt=1, error=KeyError("k"))
    client = force_login(Client(), supervisor)

    with django_assert_max_num_queries(12):
        page = client.get(FAILURES)

    assert page.status_code == 200 and page.context["cl"].result_count == 50
