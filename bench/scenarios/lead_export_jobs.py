"""Lead export through the API: 100,000 infra-ia leads uploaded as JSON Lines to POST /api/v1/berinia/exports/
(gunicorn) and exported by a `manage.py procrastinate worker` process, against `manage.py export_leads` of
the same file in a process of its own.

Both start from the same Berinia table (100,000 existing leads) and an empty export ledger, and their outcome
is checked. The API figure runs from the start of the upload to the run's `finished` (GET polled every
0.2 s): storing the input, the job's pick-up and the export itself. Goal: ≥ 80 % of the command's speed.
"""

import io
import os
import subprocess
import sys
import time

import httpx
from django.core.management import call_command
from django.db import connection

from bench import features, leadgen
from bench.databases import ROOT
from bench.loadgen import gunicorn_server
from bench.report import NOT_BUILT, Figure, ScenarioResult
from bench.runner import timed
from bench.scenarios.lead_export import _campaign_id, _check_outcome, _reset

NAME = "lead export job"
API = "API upload → worker"
COMMAND = "export_leads command"
URL = "/api/v1/berinia/exports/"


def run(ctx) -> ScenarioResult:
    s = ctx.sizes
    campaign_id = _campaign_id(ctx)
    path = leadgen.write_jsonl(ctx.workdir / "leads.jsonl", s.leads, campaign_id)
    api = Figure(API, "leads/s", baseline=COMMAND, goal="≥ 0.8× the command")
    command = Figure(COMMAND, "leads/s")
    if features.attribute("berinia_sync.services", "queue_export") is None:
        api.status = command.status = NOT_BUILT
        return ScenarioResult(NAME, [api, command])
    env = {**os.environ, **ctx.dbs.urls, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    token = _token()
    with gunicorn_server(ctx.dbs.urls) as base, _worker(env):
        for _ in range(s.runs):
            _reset(ctx, campaign_id)
            seconds, _ = timed(lambda: _command(env, path))
            _check_outcome(ctx, s.leads)
            command.values.append(s.leads / seconds)
            _reset(ctx, campaign_id)
            seconds, _ = timed(lambda: _upload_and_wait(base, token, path))
            _check_outcome(ctx, s.leads)
            api.values.append(s.leads / seconds)
    result = ScenarioResult(NAME, [api, command])
    if api.values:
        api.met = result.ratio(api) >= 0.8
    return result


def _token() -> str:
    out = io.StringIO()
    call_command("create_api_client", "bench-export-bot", "--rotate", stdout=out)
    return out.getvalue().strip().splitlines()[-1].strip()


def _command(env: dict, path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "export_leads", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode not in (0, 3):
        raise RuntimeError(f"export_leads exited {done.returncode}: {done.stderr.strip()[-500:]}")


def _upload_and_wait(base: str, token: str, path) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=300) as client:
        with open(path, "rb") as file:
            response = client.post(URL, files={"file": ("leads.jsonl", file)})
        if response.status_code != 202:
            raise RuntimeError(f"upload answered {response.status_code}: {response.text[:300]}")
        location = response.headers["Location"]
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            status = client.get(location).json()["status"]
            if status == "finished":
                return
            if status in ("failed", "interrupted"):
                raise RuntimeError(f"the export job ended {status}")
            time.sleep(0.2)
    raise RuntimeError("the export job did not finish in 30 minutes")


class _worker:
    """A `procrastinate worker` on the export queue for the scenario's duration."""

    def __init__(self, env: dict):
        self.env = env

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(max(id), 0) FROM procrastinate_workers")
            before = cursor.fetchone()[0]
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "berinia"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with status {self.process.returncode}")
            with connection.cursor() as cursor:
                cursor.execute("SELECT COALESCE(max(id), 0) FROM procrastinate_workers")
                if cursor.fetchone()[0] > before:
                    return self
            time.sleep(0.2)
        raise RuntimeError("the worker did not register in time")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
