"""Settings of the processes the export job tests start (worker, gunicorn): the test settings, faster.

Heartbeats every second and a 3 s stall limit make a killed worker's job due quickly; the stalled-job retry
(callbot_site.tasks) and the dead-run sweep run every second; the export's retries are set from the
environment (EXPORT_TEST_MAX_ATTEMPTS, EXPORT_TEST_BACKOFF_SECONDS).
"""

import os

from callbot_site.settings.test import *  # noqa: F403

EVERY_SECOND = "* * * * * *"  # the sixth column is seconds
BACKGROUND_JOB_SCHEDULES = {  # noqa: F405
    **globals().get("BACKGROUND_JOB_SCHEDULES", {}),
    "retry_stalled_jobs": EVERY_SECOND,
    "sweep_dead_export_runs": EVERY_SECOND,
}
PROCRASTINATE_WORKER_DEFAULTS = {
    **globals().get("PROCRASTINATE_WORKER_DEFAULTS", {}),
    "update_heartbeat_interval": 1,
    "stalled_worker_timeout": 3,
    "fetch_job_polling_interval": 0.5,
}
JOBS_STALLED_AFTER_SECONDS = 3
BERINIA_EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_TEST_MAX_ATTEMPTS", "6"))
BERINIA_EXPORT_BACKOFF_SECONDS = int(os.environ.get("EXPORT_TEST_BACKOFF_SECONDS", "1"))
LOGGING["root"]["level"] = "INFO"  # noqa: F405  the test shows the worker's log when it fails
