"""Jobs that keep the job system itself healthy (procrastinate; docs/deployment.md, "Background jobs").

`retry_stalled_jobs`: a worker killed in the middle of a job (kill -9, a lost machine) leaves the job
`doing` forever, and its lock held: every later run of that duty would wait behind it. Workers write a
heartbeat every few seconds; a job whose worker has been silent for JOBS_STALLED_AFTER_SECONDS goes back
to `todo` and runs again. This task has no `lock` of its own, so a stalled run of it cannot block it.
"""

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from procrastinate import exceptions, jobs
from procrastinate.contrib.django import app
from procrastinate.manager import QUEUEING_LOCK_CONSTRAINT

from callbot_site import job_failures

logger = logging.getLogger(__name__)
SCHEDULES = settings.BACKGROUND_JOB_SCHEDULES


@app.periodic(cron=SCHEDULES["retry_stalled_jobs"])
@app.task(queueing_lock="callbot_site.retry_stalled_jobs")
async def retry_stalled_jobs(timestamp: int) -> str:
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.JOBS_STALLED_AFTER_SECONDS)
    retried = closed = 0
    for job in stalled:
        logger.warning("Job %s (%s) stalled: its worker stopped beating.", job.id, job.task_name)
        try:
            await app.job_manager.retry_job(job)
            retried += 1
        except exceptions.UniqueViolation as exc:
            if exc.constraint_name != QUEUEING_LOCK_CONSTRAINT:
                raise
            # A newer run of the same duty is already queued and does the work: close this one.
            await app.job_manager.finish_job(job, status=jobs.Status.FAILED, delete_job=False)
            closed += 1
        except exceptions.ConnectorException:
            # Another run of this task got to it first (it is no longer `doing`) and recorded the attempt.
            logger.info("Stalled job %s was already handled.", job.id)
            continue
        # The dead attempt raised nothing: "Job failures" in the admin says what became of it.
        await sync_to_async(job_failures.record_stalled_attempt)(
            job_id=job.id,
            task_name=job.task_name,
            attempt=job.attempts + 1,
            silent_seconds=settings.JOBS_STALLED_AFTER_SECONDS,
        )
    return f"{retried} stalled job(s) retried, {closed} closed as failed (a newer run was queued)."


@app.periodic(cron=SCHEDULES["remove_old_jobs"])
@app.task(queueing_lock="callbot_site.remove_old_jobs", lock="callbot_site.remove_old_jobs")
async def remove_old_jobs(timestamp: int) -> str:
    """Delete succeeded, cancelled and aborted jobs finished long ago, with their recorded failures (earlier
    attempts); failed jobs stay for the admin, and so do theirs."""
    hours = settings.JOBS_KEEP_FINISHED_HOURS
    await app.job_manager.delete_old_jobs(nb_hours=hours, include_cancelled=True, include_aborted=True)
    failures = await sync_to_async(job_failures.delete_failures_of_removed_jobs)()
    return f"Finished jobs older than {hours} h deleted, with {failures} recorded failure(s) of theirs."
