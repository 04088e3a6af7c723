"""Which process holds an export run, whether it is still alive, and the sweep of dead runs.

A process that runs an export writes its host name, pid and a fresh `lease` token on the run, and beats the
run's heart (`heartbeat_at`) at the start and after every batch. A run is dead when the process is gone:
on this host we ask the kernel (the pid no longer exists); elsewhere (or if the pid was reused), when its
heartbeat is older than BERINIA_EXPORT_STALE_SECONDS (default 600 s; one batch takes seconds).
"""

import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import ExportRun, ExportStatus
from ..signals import export_finished
from .errors import RunBusy

HOST = socket.gethostname()[:255]
DEFAULT_STALE_SECONDS = 600
TAKEABLE = (ExportStatus.QUEUED, ExportStatus.INTERRUPTED, ExportStatus.FAILED)


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "BERINIA_EXPORT_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def holder_fields() -> dict:
    """The fields that say this process holds a run (a new lease each time a process takes one)."""
    return {"host": HOST, "pid": os.getpid(), "lease": uuid.uuid4().hex, "heartbeat_at": timezone.now()}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def is_dead(run: ExportRun, now=None) -> bool:
    """True when the process holding this running run is gone (see the module docstring)."""
    now = now or timezone.now()
    if run.host == HOST and run.pid and not pid_alive(run.pid):
        return True
    return run.heartbeat_at is None or now - run.heartbeat_at > stale_after()


@transaction.atomic
def take_run(run_id: int) -> ExportRun | None:
    """Take a queued, interrupted, failed or dead run for this process; None if it is finished already.

    The row lock serialises two workers retrying the same job; a run held by a live process is RunBusy.
    """
    run = ExportRun.objects.select_for_update().get(pk=run_id)
    if run.status == ExportStatus.FINISHED:
        return None
    if run.status == ExportStatus.RUNNING and not is_dead(run):
        raise RunBusy(f"Export run #{run.pk} is being exported by {run.host} (pid {run.pid}).")
    for name, value in holder_fields().items():
        setattr(run, name, value)
    run.status, run.finished_at = ExportStatus.RUNNING, None
    run.save(update_fields=["host", "pid", "lease", "heartbeat_at", "status", "finished_at"])
    return run


def sweep_dead_runs() -> list[int]:
    """Mark `interrupted` every running run whose process died; returns their ids. Signals after commit.

    Each run is marked with a conditional UPDATE (same lease and heartbeat as read): a run that beat its heart
    meanwhile is left alone, and clearing the lease stops a process that was only slow from writing on.
    """
    now = timezone.now()
    swept = []
    for run in ExportRun.objects.filter(status=ExportStatus.RUNNING).only("pk", "host", "pid", "lease", "heartbeat_at"):
        if not is_dead(run, now):
            continue
        with transaction.atomic():
            marked = ExportRun.objects.filter(
                pk=run.pk, status=ExportStatus.RUNNING, lease=run.lease, heartbeat_at=run.heartbeat_at
            ).update(
                status=ExportStatus.INTERRUPTED,
                lease="",
                finished_at=now,
                error=f"interrupted: the process running it ({run.host}, pid {run.pid}) died; "
                "its job, or the next export of the same leads, resumes it.",
            )
            if marked:
                swept.append(run.pk)
                transaction.on_commit(
                    lambda pk=run.pk: export_finished.send(sender=ExportRun, run=ExportRun.objects.get(pk=pk))
                )
    return swept
