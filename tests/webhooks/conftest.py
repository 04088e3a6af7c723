"""Webhook tests' processes: a real procrastinate worker against the pytest database, a real receiver."""

import contextlib
import os
import subprocess

import pytest
from django.db import connection

from tests.api.conftest import (  # noqa: F401 - the API's clients, one per role
    agent_client,
    anonymous_client,
    bot,
    bot_client,
    nobody_client,
    supervisor_client,
)
from tests.processes import PYTHON, ROOT, free_port, stop
from tests.webhooks.receiver import Receiver


def _database_url(alias_settings: dict) -> str:
    user, host, name = alias_settings["USER"], alias_settings["HOST"], alias_settings["NAME"]
    if host.startswith("/"):  # the embedded cluster's unix socket
        return f"postgres://{user}@/{host}/{name}"
    password = f":{alias_settings['PASSWORD']}" if alias_settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{alias_settings.get('PORT') or 5432}/{name}"


def worker_environment(**retry) -> dict:
    from django.db import connections

    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "callbot_site.settings.test",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "BERINIA_DATABASE_URL": _database_url(connections["berinia"].settings_dict),
        "WEBHOOKS_RETRY_MAX_ATTEMPTS": str(retry.get("max_attempts", 3)),
        "WEBHOOKS_RETRY_WAIT_SECONDS": str(retry.get("wait", 1)),
        "WEBHOOKS_RETRY_EXPONENTIAL_BASE": str(retry.get("exponential_base", 0)),
        "WEBHOOKS_TIMEOUT_SECONDS": "5",
    }


@contextlib.contextmanager
def running_worker(log_path, **retry):
    """`manage.py procrastinate worker` on the webhooks queue, in its own process group, stopped at the end."""
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "procrastinate",
                "worker",
                "--queues",
                "webhooks",
                "--fetch-job-polling-interval",
                "1",
            ],
            cwd=ROOT,
            env=worker_environment(**retry),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield worker
    finally:
        stop(worker)


@pytest.fixture
def worker(tmp_path):
    """A worker retrying every second, three retries (a delivery fails for good after four attempts)."""
    with running_worker(tmp_path / "worker.log", max_attempts=3, wait=1) as process:
        yield process


@pytest.fixture
def receiver():
    receiver = Receiver(free_port()).start()
    yield receiver
    receiver.stop()
