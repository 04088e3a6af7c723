"""Each failed attempt of any background job, recorded with its error for the admin ("Job failures").

procrastinate's tables keep no error text: without this the exception is only in the worker's log.
`install` (PROCRASTINATE_ON_APP_READY) adds `record_failures` to every worker's middleware, so every task,
sync or async, of every app is covered without opting in. Not covered: a job whose task no worker knows
(procrastinate fails it before any middleware runs; the worker's log says "Task was not found").
"""

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.db.models import Exists, OuterRef
from django.utils import timezone
from procrastinate import exceptions
from procrastinate.contrib.django.models import ProcrastinateJob

from callbot_site.models import MESSAGE_MAX_CHARS, JobFailure

logger = logging.getLogger(__name__)
STALLED = "WorkerStalled"  # error_type of an attempt whose worker died (no exception to show)
# Stopped on purpose (an abort, a worker's shutdown): not a failure of the job's own.
NOT_FAILURES = (exceptions.JobAborted, asyncio.CancelledError)


def error_type(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def short_message(error: BaseException) -> str:
    """The exception's text, cut to fit; PostgreSQL refuses NUL characters in text, so they are spelled out."""
    try:
        text = str(error)
    except Exception:  # a broken __str__ must not lose the failure itself
        text = ""
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= MESSAGE_MAX_CHARS else text[: MESSAGE_MAX_CHARS - 1] + "…"


def record_job_failure(*, job_id: int, task_name: str, attempt: int, error: BaseException) -> JobFailure:
    return JobFailure.objects.create(
        job_id=job_id,
        task_name=task_name,
        attempt=attempt,
        error_type=error_type(error),
        message=short_message(error),
        failed_at=timezone.now(),
    )


def record_stalled_attempt(*, job_id: int, task_name: str, attempt: int, silent_seconds: int) -> JobFailure:
    """An attempt whose worker stopped beating (kill -9, out of memory, a lost machine): it raised nothing."""
    return JobFailure.objects.create(
        job_id=job_id,
        task_name=task_name,
        attempt=attempt,
        error_type=STALLED,
        message=f"Its worker stopped its heartbeat for over {silent_seconds} s; the attempt was abandoned.",
        failed_at=timezone.now(),
    )


def delete_failures_of_removed_jobs() -> int:
    """The failures of jobs procrastinate no longer has (`remove_old_jobs`): kept exactly as long as their job."""
    deleted, _ = JobFailure.objects.filter(~Exists(ProcrastinateJob.objects.filter(id=OuterRef("job_id")))).delete()
    return deleted


def _record_in_worker(job, error: BaseException) -> None:
    # The worker's thread keeps its connection between jobs: drop it if an earlier error broke it.
    close_old_connections()
    # job.attempts counts the earlier tries (procrastinate adds one when it retries or ends a job).
    record_job_failure(job_id=job.id, task_name=job.task_name, attempt=job.attempts + 1, error=error)


async def record_failures(call_next, context, worker):
    """Worker middleware: record what a job raised, then let procrastinate retry or fail it as usual."""
    try:
        return await call_next()
    except NOT_FAILURES:
        raise
    except BaseException as error:
        job = context.job
        try:
            await sync_to_async(_record_in_worker)(job, error)
        except Exception as recording_error:
            # Only the type: the text of a database error may quote the values it refused.
            logger.warning(
                "Could not record the failure of job %s (%s): %s.",
                job.id,
                job.task_name,
                type(recording_error).__name__,
            )
        raise


def install(app) -> None:
    """PROCRASTINATE_ON_APP_READY: every worker this app starts records its jobs' failures."""
    defaults = app.worker_defaults
    app.worker_defaults = {**defaults, "worker_middleware": [*defaults.get("worker_middleware", []), record_failures]}
