"""SLOW: large exports over HTTP (gunicorn) processed by REAL `manage.py procrastinate worker` processes.

202 + Location, then the run's progress over HTTP until the worker finishes it, for a JSON body of more than
1,000 leads and for JSON Lines and CSV uploads; a worker killed with SIGKILL mid-export (the run is swept
as interrupted, the stalled job retried by callbot_site.tasks.retry_stalled_jobs, the run resumed: every
lead once in Berinia and in the ledger); a job that keeps failing ends failed, visible in the job admin.
"""

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import time
from collections import Counter
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection, connections

from berinia_sync.models import BeriniaLead, ExportRecord, ExportRun
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import CampaignFactory, infra_lead
from tests.processes import GUNICORN, PYTHON, ROOT, free_port, serving, stop

pytestmark = [pytest.mark.django_db(databases=BERINIA_DB, transaction=True), pytest.mark.timeout(240)]
URL = "/api/v1/berinia/exports/"
JOB_TABLES = "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
SETTINGS = "tests.berinia_sync.worker_settings"
ENDED = ("finished", "failed")


def database_url(alias: str) -> str:
    db = connections[alias].settings_dict
    location = f"/{db['HOST']}" if db["HOST"].startswith("/") else f"{db['HOST']}:{db['PORT'] or 5432}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{location}/{db['NAME']}"


def scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_for(condition, *, timeout: float, what: str, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    shown = "\n".join(f"--- {log.name}\n{log.read_text()[-6000:]}" for log in logs)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{shown}")


class Stack:
    """gunicorn and workers against the test databases, each in its own session, all stopped at the end."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.workers: list[subprocess.Popen] = []
        self.exit = contextlib.ExitStack()
        self.base_env = {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": database_url("default"),
            "BERINIA_DATABASE_URL": database_url("berinia"),
        }

    @property
    def logs(self) -> list[Path]:
        return sorted(self.directory.glob("*.log"))

    def api(self) -> httpx.Client:
        port = free_port()
        command = [*GUNICORN, "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "120"]
        base = self.exit.enter_context(serving(command, self.base_env, self.directory / "gunicorn.log", port))
        out = StringIO()
        call_command("create_api_client", "lead-generator", stdout=out)
        token = out.getvalue().strip().splitlines()[-1]
        return self.exit.enter_context(
            httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=120)
        )

    def worker(self, name: str, *, queues: str = "", **env: str) -> subprocess.Popen:
        last = "SELECT COALESCE(max(id), 0) FROM procrastinate_workers"  # ids only grow; dead workers get pruned
        registered = scalar(last)
        log = self.directory / f"worker-{name}.log"
        arguments = ["--name", name] + (["--queues", queues] if queues else [])
        with log.open("w") as output:
            process = subprocess.Popen(
                [PYTHON, "manage.py", "procrastinate", "worker", *arguments],
                cwd=ROOT,
                env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **self.base_env, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(process)
        wait_for(
            lambda: process.poll() is not None or scalar(last) > registered,
            timeout=60,
            what=f"worker {name} to register",
            logs=[log],
        )
        assert process.poll() is None, log.read_text()
        return process

    def close(self) -> None:
        for process in self.workers:
            with contextlib.suppress(ProcessLookupError):
                stop(process)
        self.exit.close()


def _empty_job_tables() -> None:
    with connection.cursor() as cursor:  # unmanaged: the flush after a transactional test leaves them
        cursor.execute(f"TRUNCATE {JOB_TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture
def stack(transactional_db, tmp_path):
    _empty_job_tables()
    started = Stack(tmp_path)
    try:
        yield started
    finally:
        started.close()
        _empty_job_tables()


def follow(api: httpx.Client, location: str, stack: Stack, *, until=ENDED, timeout: float = 120) -> list[dict]:
    """GET the run until its status is in `until`; every body seen, the last one last."""
    seen = []

    def ended():
        response = api.get(location)
        assert response.status_code == 200, response.text
        seen.append(response.json())
        return seen[-1]["status"] in until

    wait_for(ended, timeout=timeout, what=f"the run to be {until}", logs=stack.logs)
    return seen


def assert_progress_went_up_to_the_total(seen: list[dict], total: int) -> None:
    processed = [body["progress"]["processed"] for body in seen]
    assert processed == sorted(processed) and processed[-1] == total
    assert {body["progress"]["total"] for body in seen} == {total}
    assert seen[-1]["progress"]["percent"] == 100


def test_more_than_1000_leads_in_json_are_queued_and_exported_by_the_worker(stack):
    campaign = CampaignFactory()
    api = stack.api()
    stack.worker("one", queues="berinia")
    leads = [infra_lead(n, campaign.pk) for n in range(1, 1498)]
    leads += [infra_lead(1, campaign.pk, id="again-1"), infra_lead(1499, campaign.pk, email="nope")]
    leads += [infra_lead(1500, campaign.pk, email=None)]

    response = api.post(URL, json={"leads": leads, "batch_size": 250})

    assert response.status_code == 202, response.text
    body = response.json()
    assert response.headers["Location"] == f"{URL}{body['run_id']}/"
    assert body["status"] == "queued" and body["progress"] == {"processed": 0, "total": 1500, "percent": 0}
    seen = follow(api, response.headers["Location"], stack)
    final = seen[-1]
    assert final["status"] == "finished", final
    assert_progress_went_up_to_the_total(seen, 1500)
    counts = {name: final[name] for name in ("inserted", "updated", "unchanged", "merged", "rejected")}
    assert counts == {"inserted": 1497, "updated": 0, "unchanged": 0, "merged": 1, "rejected": 2}
    assert [(lead["position"], lead["reason"].split(":")[0]) for lead in final["rejected_leads"]["results"]] == [
        (1499, "invalid_email"),
        (1500, "missing_email"),
    ]
    merged = api.get(final["leads_url"], params={"outcome": "merged"}).json()["results"]
    first = BeriniaLead.objects.get(email="contact1@resto-1.example.fr").pk
    assert [(m["position"], m["id"], m["merged_into"], m["berinia_lead_id"]) for m in merged] == [
        (1498, "again-1", 1, first)
    ]
    assert BeriniaLead.objects.count() == 1497
    run = ExportRun.objects.get(pk=body["run_id"])
    assert scalar("SELECT status FROM procrastinate_jobs WHERE id = %s", [run.job_id]) == "succeeded"


def _jsonl(leads) -> bytes:
    return "".join(json.dumps(lead) + "\n" for lead in leads).encode()


def _csv(leads) -> bytes:
    columns = ["id", "company_name", "contact_name", "email", "phone", "campaign_id", "city"]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(leads)
    return out.getvalue().encode()


@pytest.mark.parametrize("name, encode", [("leads.jsonl", _jsonl), ("leads.csv", _csv)])
def test_an_uploaded_file_is_queued_and_exported_by_the_worker(stack, name, encode):
    campaign = CampaignFactory()
    api = stack.api()
    stack.worker("one", queues="berinia")
    leads = [infra_lead(n, campaign.pk) for n in range(1, 1201)]
    leads[599] = infra_lead(600, campaign.pk, email="")

    response = api.post(URL, files={"file": (name, encode(leads))}, data={"batch_size": "200"})

    assert response.status_code == 202, response.text
    assert response.json()["source_name"] == name
    seen = follow(api, response.headers["Location"], stack)
    final = seen[-1]
    assert final["status"] == "finished", final
    assert_progress_went_up_to_the_total(seen, 1200)
    assert (final["inserted"], final["rejected"]) == (1199, 1)
    assert final["rejected_leads"]["results"][0]["position"] == 600
    assert BeriniaLead.objects.count() == 1199
    page = api.get(final["leads_url"], params={"page_size": 200, "page": 6}).json()
    assert page["count"] == 1200 and [lead["position"] for lead in page["results"]] == list(range(1001, 1201))


@pytest.fixture
def slow_berinia():
    """Each INSERT statement into Berinia's leads takes 0.25 s more: a run lasts long enough to be killed."""
    with connections["berinia"].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM pg_sleep(0.25); RETURN NULL; END $$; "
            "CREATE TRIGGER slow_insert AFTER INSERT ON leads FOR EACH STATEMENT EXECUTE FUNCTION slow_insert();"
        )
    yield lambda: _drop_slow_insert()
    _drop_slow_insert()


def _drop_slow_insert():
    with connections["berinia"].cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS slow_insert ON leads; DROP FUNCTION IF EXISTS slow_insert();")


def test_a_worker_killed_mid_export_is_swept_retried_and_resumed_with_every_lead_once(stack, slow_berinia):
    campaign = CampaignFactory()
    api = stack.api()
    first = stack.worker("first", queues="berinia")
    leads = [infra_lead(n, campaign.pk) for n in range(1, 3001)]
    response = api.post(URL, files={"file": ("leads.jsonl", _jsonl(leads))}, data={"batch_size": "100"})
    assert response.status_code == 202, response.text
    run_id = response.json()["run_id"]
    wait_for(lambda: ExportRun.objects.get(pk=run_id).received >= 300, timeout=60, what="3 batches", logs=stack.logs)

    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    run = ExportRun.objects.get(pk=run_id)
    assert run.status == "running" and 300 <= run.received < 3000
    slow_berinia()  # the rest may go at full speed
    # A worker of the export queue only: its sweeper sees the run's process gone and marks it interrupted;
    # the job stays `doing` until the stalled-job retry (queue `default`) puts it back.
    stack.worker("second", queues="berinia")
    wait_for(
        lambda: ExportRun.objects.get(pk=run_id).status == "interrupted", timeout=60, what="sweep", logs=stack.logs
    )
    assert scalar("SELECT status FROM procrastinate_jobs WHERE id = %s", [run.job_id]) == "doing"
    stack.worker("third", queues="default")  # callbot_site.tasks.retry_stalled_jobs
    final = follow(api, f"{URL}{run_id}/", stack)[-1]

    assert final["status"] == "finished", final
    assert final["received"] == 3000 and final["rejected"] == 0
    emails = Counter(BeriniaLead.objects.values_list("email", flat=True))
    assert len(emails) == 3000 and set(emails.values()) == {1}
    records = ExportRecord.objects.filter(run_id=run_id)
    assert sorted(records.values_list("position", flat=True)) == list(range(1, 3001))
    # The ledger matches Berinia: each Berinia lead named by exactly one record (inserted, or unchanged if
    # the kill fell between Berinia's commit and the ledger's).
    lead_ids = Counter(records.values_list("berinia_lead_id", flat=True))
    assert set(lead_ids.values()) == {1} and set(lead_ids) == set(BeriniaLead.objects.values_list("pk", flat=True))
    assert final["inserted"] + final["unchanged"] == 3000 and final["inserted"] >= 2900
    job = scalar("SELECT status || ' ' || attempts FROM procrastinate_jobs WHERE id = %s", [run.job_id])
    assert job.startswith("succeeded")


def test_a_job_that_keeps_failing_ends_failed_and_shows_in_the_job_admin(stack, admin_client):
    campaign = CampaignFactory()
    api = stack.api()
    stack.worker(
        "cut-off",
        queues="berinia",
        BERINIA_DATABASE_URL=f"postgres://exporter:s3cret@//nonexistent/socket/{campaign.pk}",
        EXPORT_TEST_MAX_ATTEMPTS="2",
        EXPORT_TEST_BACKOFF_SECONDS="1",
    )
    response = api.post(URL, json={"leads": [infra_lead(n, campaign.pk) for n in range(1, 1002)]})
    assert response.status_code == 202, response.text

    final = follow(api, response.headers["Location"], stack, until=("failed",), timeout=90)[-1]

    assert final["error"].startswith("Berinia database unreachable") and "s3cret" not in final["error"]
    run = ExportRun.objects.get(pk=final["run_id"])
    # The run is marked failed by the task's last attempt, the job by the worker just after that attempt.
    job_status = "SELECT status FROM procrastinate_jobs WHERE id = %s"
    wait_for(lambda: scalar(job_status, [run.job_id]) != "doing", timeout=30, what="the job's end", logs=stack.logs)
    assert scalar(job_status, [run.job_id]) == "failed"
    assert scalar("SELECT attempts FROM procrastinate_jobs WHERE id = %s", [run.job_id]) == 3  # 1 + 2 retries
    assert not BeriniaLead.objects.exists()
    page = admin_client.get(f"/admin/procrastinate/procrastinatejob/{run.job_id}/change/")
    assert page.status_code == 200 and b"berinia_sync.run_export" in page.content
    run_page = admin_client.get(f"/admin/berinia_sync/exportrun/{run.pk}/change/")
    assert f"procrastinate job #{run.job_id}".encode() in run_page.content
