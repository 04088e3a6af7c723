"""Queued runs in this process: the job's service resumes a run where its ledger stops, the sweeper tells
dead runs from live ones, and `export_finished` is sent when a run ends (and only then)."""

import subprocess
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from berinia_sync.models import BeriniaLead, ExportInput, ExportRecord, ExportRun
from berinia_sync.services import BeriniaUnavailable, queue_export, run_queued_export, sweep_dead_runs
from berinia_sync.services.liveness import HOST
from berinia_sync.signals import export_finished
from berinia_sync.tasks import run_export
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import CampaignFactory, ExportRunFactory, infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB, transaction=True)
CUT_AT = "contact11@resto-11.example.fr"  # first lead of the second batch of 10


@pytest.fixture
def finished_runs():
    """(run id, status) of every export_finished sent during the test."""
    seen = []

    def receiver(sender, run, **kwargs):
        seen.append((run.pk, run.status))

    export_finished.connect(receiver, dispatch_uid="test-export-finished")
    yield seen
    export_finished.disconnect(dispatch_uid="test-export-finished")


@pytest.fixture
def cut_on_second_batch():
    """Berinia's session dies when the second batch inserts its first lead (as if the server went away)."""
    with connections["berinia"].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION cut_session() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.email = '{CUT_AT}' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; "
            "RETURN NEW; END $$; "
            "CREATE TRIGGER cut_session BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION cut_session();"
        )
    yield
    connections["berinia"].close()
    with connections["berinia"].cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS cut_session ON leads; DROP FUNCTION IF EXISTS cut_session();")


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def queued(leads, batch_size=10) -> ExportRun:
    return queue_export(leads, defer=lambda run_id: run_export.defer(run_id=run_id), batch_size=batch_size)


def test_a_run_cut_mid_way_goes_back_to_the_queue_then_resumes_where_its_ledger_stops(
    cut_on_second_batch, finished_runs
):
    campaign = CampaignFactory()
    leads = [infra_lead(n, campaign.pk) for n in range(1, 31)]
    leads[24] = infra_lead(3, campaign.pk, id="late-duplicate-of-3")  # position 25, after the resume point
    run = queued(leads)
    assert (run.status, run.total, ExportInput.objects.filter(run=run).count()) == ("queued", 30, 1)

    with pytest.raises(BeriniaUnavailable):
        run_queued_export(run.pk, final_attempt=False)

    run.refresh_from_db()
    assert run.status == "queued" and run.error.endswith("(the job retries)")
    assert (run.received, run.inserted) == (10, 10)
    assert finished_runs == []  # not ended: its job retries
    cut_on_second_batch_removed()

    result = run_queued_export(run.pk)

    run.refresh_from_db()
    assert (run.status, run.received, run.inserted, run.merged) == ("finished", 30, 29, 1)
    assert (result.received, result.inserted, result.merged) == (30, 29, 1)
    emails = Counter(BeriniaLead.objects.values_list("email", flat=True))
    assert len(emails) == 29 and set(emails.values()) == {1}
    positions = list(ExportRecord.objects.filter(run=run).order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, 31))
    third = ExportRecord.objects.get(run=run, position=3)
    late = ExportRecord.objects.get(run=run, position=25)
    assert (late.outcome, late.merged_into, late.berinia_lead_id) == ("merged", 3, third.berinia_lead_id)
    assert not ExportInput.objects.filter(run=run).exists()  # done with: the ledger tells the rest
    assert finished_runs == [(run.pk, "finished")]
    assert run_queued_export(run.pk) is None  # a finished run is not run again


def cut_on_second_batch_removed():
    connections["berinia"].close()
    with connections["berinia"].cursor() as cursor:
        cursor.execute("DROP TRIGGER cut_session ON leads")


def test_the_last_attempt_fails_the_run_with_its_error(cut_on_second_batch, finished_runs):
    campaign = CampaignFactory()
    run = queued([infra_lead(n, campaign.pk) for n in range(1, 21)])

    with pytest.raises(BeriniaUnavailable):
        run_queued_export(run.pk, final_attempt=True)

    run.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("Berinia database unreachable")
    assert finished_runs == [(run.pk, "failed")]
    assert ExportInput.objects.filter(run=run).exists()  # kept: a retry of the job resumes it


def test_the_sweeper_marks_dead_runs_interrupted_and_leaves_live_ones(finished_runs):
    now = timezone.now()
    long_ago = now - timedelta(hours=1)
    dead_here = ExportRunFactory(status="running", host=HOST, pid=dead_pid(), lease="a", heartbeat_at=now)
    live_here = ExportRunFactory(status="running", host=HOST, pid=subprocess.os.getpid(), lease="b", heartbeat_at=now)
    silent_elsewhere = ExportRunFactory(status="running", host="other-host", pid=1, lease="c", heartbeat_at=long_ago)
    beating_elsewhere = ExportRunFactory(status="running", host="other-host", pid=1, lease="d", heartbeat_at=now)
    finished = ExportRunFactory(status="finished", host=HOST, pid=dead_pid(), lease="", heartbeat_at=long_ago)

    swept = sweep_dead_runs()

    assert sorted(swept) == sorted([dead_here.pk, silent_elsewhere.pk])
    statuses = dict(ExportRun.objects.values_list("pk", "status"))
    assert statuses == {
        dead_here.pk: "interrupted",
        live_here.pk: "running",
        silent_elsewhere.pk: "interrupted",
        beating_elsewhere.pk: "running",
        finished.pk: "finished",
    }
    dead_here.refresh_from_db()
    assert dead_here.lease == "" and "died" in dead_here.error and dead_here.finished_at is not None
    assert sorted(finished_runs) == sorted([(dead_here.pk, "interrupted"), (silent_elsewhere.pk, "interrupted")])
    assert sweep_dead_runs() == []


def test_an_interrupted_run_is_resumed_by_its_job(cut_on_second_batch, finished_runs):
    campaign = CampaignFactory()
    run = queued([infra_lead(n, campaign.pk) for n in range(1, 26)])
    with pytest.raises(BeriniaUnavailable):
        run_queued_export(run.pk, final_attempt=False)
    cut_on_second_batch_removed()
    # What a process killed after its first batch leaves behind: running, held by a pid that is gone.
    ExportRun.objects.filter(pk=run.pk).update(status="running", host=HOST, pid=dead_pid(), lease="dead")

    assert sweep_dead_runs() == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.received) == ("interrupted", 10)

    run_queued_export(run.pk)

    run.refresh_from_db()
    assert (run.status, run.received, run.inserted, run.error) == ("finished", 25, 25, "")
    assert BeriniaLead.objects.count() == 25
    assert ExportRecord.objects.filter(run=run).count() == 25
    assert finished_runs == [(run.pk, "interrupted"), (run.pk, "finished")]


def test_a_slow_process_whose_run_was_taken_over_writes_nothing_more():
    from berinia_sync.services.errors import RunTakenOver
    from berinia_sync.services.ledger import add_counts

    run = ExportRunFactory(status="running", host=HOST, pid=dead_pid(), lease="old", heartbeat_at=timezone.now())
    sweep_dead_runs()

    with pytest.raises(RunTakenOver):
        add_counts(run, {"received": 5})  # `run` still carries the old lease

    run.refresh_from_db()
    assert (run.status, run.received) == ("interrupted", 0)
