"""Jobs of berinia_sync (procrastinate, autodiscovered): large exports queued by the API, and the dead-run sweep.

Both run on the `berinia` queue (a worker started without --queues takes every queue).
"""

from django.conf import settings
from procrastinate import BaseRetryStrategy, RetryStrategy
from procrastinate.contrib.django import app

from .services import BeriniaUnavailable, RunBusy, run_queued_export, sweep_dead_runs
from .services.errors import RunTakenOver

QUEUE = "berinia"
# Berinia unreachable: 6 more attempts, 4, 16, 64, 256, 1024, 4096 s apart (≈ 1.5 h in all), then failed.
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_BACKOFF_SECONDS = 4


def _max_attempts() -> int:
    return getattr(settings, "BERINIA_EXPORT_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


class ExportRetry(BaseRetryStrategy):
    """Exponential backoff on BeriniaUnavailable, on a run still held by a live process (RunBusy) and on a run
    taken from this job by the sweeper (RunTakenOver: the retry takes it back and resumes). Read from settings
    when a job fails (BERINIA_EXPORT_MAX_ATTEMPTS, BERINIA_EXPORT_BACKOFF_SECONDS)."""

    def get_retry_decision(self, *, exception, job):
        strategy = RetryStrategy(
            max_attempts=_max_attempts(),
            exponential_wait=getattr(settings, "BERINIA_EXPORT_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS),
            retry_exceptions=(BeriniaUnavailable, RunBusy, RunTakenOver),
        )
        return strategy.get_retry_decision(exception=exception, job=job)


@app.task(name="berinia_sync.run_export", queue=QUEUE, retry=ExportRetry(), pass_context=True)
def run_export(context, run_id: int) -> None:
    """Run or resume the queued ExportRun `run_id` (a retried or re-run job goes on where the ledger stops)."""
    run_queued_export(run_id, final_attempt=context.job.attempts >= _max_attempts())


# BACKGROUND_JOB_SCHEDULES (settings) may set its cron; by default every minute.
SWEEP_CRON = getattr(settings, "BACKGROUND_JOB_SCHEDULES", {}).get("sweep_dead_export_runs", "* * * * *")


@app.periodic(cron=SWEEP_CRON, periodic_id="berinia_sync.sweep_dead_runs")
@app.task(name="berinia_sync.sweep_dead_runs", queue=QUEUE, queueing_lock="berinia_sync.sweep_dead_runs")
def sweep_dead_export_runs(timestamp: int) -> None:
    """Every minute: running export runs whose process died become `interrupted`."""
    sweep_dead_runs()
