"""Settings of the workers the job tests start: the test settings, faster where a test says so.

JOBS_TEST_FAST_SCHEDULES names schedules (keys of BACKGROUND_JOB_SCHEDULES, or `test_tick`) that run every
second instead of at their production time, so a test waits seconds, not minutes; the others keep the
production cadence. Heartbeats every second and a 3 s stall limit make a killed worker's job due quickly.
"""

import os

from callbot_site.settings.test import *  # noqa: F403

EVERY_SECOND = "* * * * * *"  # the sixth column is seconds
FAST = {name for name in os.environ.get("JOBS_TEST_FAST_SCHEDULES", "").split(",") if name}

BACKGROUND_JOB_SCHEDULES = {  # noqa: F405
    name: EVERY_SECOND if name in FAST else cron
    for name, cron in {**BACKGROUND_JOB_SCHEDULES, "test_tick": "0 0 1 1 *"}.items()  # noqa: F405
}
PROCRASTINATE_IMPORT_PATHS = ["tests.jobs.job_tasks"]
PROCRASTINATE_WORKER_DEFAULTS = {
    **PROCRASTINATE_WORKER_DEFAULTS,  # noqa: F405
    "update_heartbeat_interval": 1,
    "stalled_worker_timeout": 3,
    "fetch_job_polling_interval": 0.5,
}
JOBS_STALLED_AFTER_SECONDS = 3
JOBS_TEST_DIR = os.environ.get("JOBS_TEST_DIR", "")
LOGGING["root"]["level"] = "INFO"  # noqa: F405  the test keeps the worker's log and shows it on failure
