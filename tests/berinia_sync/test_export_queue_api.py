"""The queued side of POST /api/v1/berinia/exports/ and GET of a run, without a worker: what is accepted
(202, stored, one job), what is refused (400 naming what is allowed, 404, 403), and what a run shows."""

import json

import pytest
from rest_framework.test import APIClient

from berinia_sync.models import ExportInput, ExportRecord, ExportRun
from berinia_sync.services.inputs import read_inputs
from tests.api.factories import BotFactory
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import ExportRunFactory, infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)
URL = "/api/v1/berinia/exports/"
CSV_HEADER = b"id,company_name,contact_name,email,phone,campaign_id\n"


def api_client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def bot(db):
    return BotFactory(username="lead-generator")


@pytest.fixture
def client(bot):
    return api_client(bot)


def jobs_of(run) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name, args->>'run_id', status FROM procrastinate_jobs WHERE id = %s", [run.job_id])
        return cursor.fetchall()


def upload(client, name: str, content: bytes, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(URL, {"file": SimpleUploadedFile(name, content), **data}, format="multipart")


def test_more_than_1000_json_leads_are_stored_with_a_queued_run_and_one_job(client, campaign):
    leads = [infra_lead(n, campaign.pk, city='Par\u00efs \\ "q"') for n in range(1, 1002)]

    response = client.post(URL, {"leads": leads, "campaign_id": campaign.pk}, format="json")

    assert response.status_code == 202, response.content
    run = ExportRun.objects.get(pk=response.json()["run_id"])
    assert response["Location"] == f"{URL}{run.pk}/"
    assert (run.status, run.total, run.origin, run.started_by, run.campaign_id) == (
        "queued",
        1001,
        "api",
        "lead-generator",
        campaign.pk,
    )
    assert jobs_of(run) == [("berinia_sync.run_export", str(run.pk), "todo")]
    assert list(ExportInput.objects.filter(run=run).values_list("first_position", "count")) == [(1, 1000), (1001, 1)]
    assert list(read_inputs(run)) == leads  # stored exactly, escapes and accents included
    assert [lead["id"] for lead in read_inputs(run, after=999)] == ["apify_1752573012_1000", "apify_1752573012_1001"]


def test_an_unparseable_jsonl_line_is_stored_as_that_leads_rejection(client, campaign):
    content = (json.dumps(infra_lead(1, campaign.pk)) + "\n{not json\n").encode()

    response = upload(client, "leads.jsonl", content)

    assert response.status_code == 202, response.content
    first, second = read_inputs(ExportRun.objects.get())
    assert first["id"] == "apify_1752573012_1" and second.reason.startswith("invalid_json: line 2")


@pytest.mark.parametrize(
    "name, content, data, field, allowed",
    [
        ("leads.xlsx", b"PK\x03\x04 binary", {}, "format", "allowed: json, jsonl, csv"),
        ("leads", b"id\n1\n", {}, "format", "allowed: json, jsonl, csv"),
        ("leads.csv", b"x", {"format": "xml"}, "format", '"xml" is not a valid choice'),
        ("leads.csv", b"\xff\xfeid,email\n", {}, "file", "not UTF-8 text"),
        ("leads.csv", CSV_HEADER + b'1,"Acme,Ann Lee,ann@x.example.fr,,1\n', {}, "file", "broken CSV"),
        ("leads.csv", CSV_HEADER + b'1,"Acme"x,Ann,ann@x.example.fr,,1\n', {}, "file", "broken CSV"),
        ("leads.csv", CSV_HEADER, {}, "leads", "No lead found"),
        ("leads.jsonl", b"", {}, "file", "empty"),
    ],
)
def test_a_bad_upload_is_a_400_naming_what_is_allowed_and_queues_nothing(client, name, content, data, field, allowed):
    response = upload(client, name, content, **data)

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"], body
    assert allowed in " ".join(body["errors"][field]), body
    assert not ExportRun.objects.exists() and not ExportInput.objects.exists()


def test_a_broken_csv_message_names_the_allowed_formats(client):
    response = upload(client, "leads.csv", CSV_HEADER + b'1,"open quote\n')

    assert "JSON Lines (.jsonl, .ndjson), CSV (.csv) or a JSON array (.json)" in response.json()["detail"]


def test_a_dry_run_of_more_than_1000_leads_is_refused(client, campaign):
    response = client.post(URL, {"leads": [infra_lead(1, campaign.pk)] * 1001, "dry_run": True}, format="json")

    assert response.status_code == 400
    assert "dry_run" in response.json()["errors"]


def test_an_unknown_campaign_is_refused_before_anything_is_queued(client, campaign):
    response = upload(client, "leads.jsonl", b'{"id": "a"}\n', campaign_id=campaign.pk + 1000)

    assert response.status_code == 400 and "does not exist in Berinia" in response.json()["detail"]
    assert not ExportRun.objects.exists()


def _run_with_records(started_by: str, rejected: int) -> ExportRun:
    run = ExportRunFactory(started_by=started_by, status="running", total=200, received=120, rejected=rejected)
    ExportRecord.objects.bulk_create(
        ExportRecord(run=run, position=n, outcome="rejected", reason=f"missing_email: {n}")
        for n in range(1, rejected + 1)
    )
    ExportRecord.objects.bulk_create(
        ExportRecord(run=run, position=n, outcome="inserted", berinia_lead_id=n) for n in range(rejected + 1, 121)
    )
    return run


def test_a_run_shows_progress_counts_and_its_rejected_leads_by_pages(client, django_assert_max_num_queries):
    run = _run_with_records("lead-generator", rejected=60)

    with django_assert_max_num_queries(8):
        body = client.get(f"{URL}{run.pk}/").json()

    assert body["status"] == "running"
    assert body["progress"] == {"processed": 120, "total": 200, "percent": 60}
    assert body["rejected_leads"]["count"] == 60 and len(body["rejected_leads"]["results"]) == 50
    assert body["rejected_leads"]["next"].endswith(f"/exports/{run.pk}/leads/?outcome=rejected&page=2")
    second = client.get(body["rejected_leads"]["next"]).json()
    assert [lead["position"] for lead in second["results"]] == list(range(51, 61))
    assert second["results"][0]["reason"] == "missing_email: 51"
    inserted = client.get(f"{URL}{run.pk}/leads/", {"outcome": "inserted", "page_size": 5}).json()
    assert inserted["count"] == 60 and inserted["results"][0] == {
        "position": 61,
        "id": "",
        "outcome": "inserted",
        "berinia_lead_id": 61,
        "matched_on": "",
        "merged_into": None,
        "reason": "",
    }


def test_a_bot_sees_only_its_own_runs_and_a_supervisor_sees_all(client, supervisor, agent):
    mine = _run_with_records("lead-generator", rejected=1)
    other = _run_with_records("another-bot", rejected=1)

    assert client.get(f"{URL}{mine.pk}/").status_code == 200
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.get(f"{URL}{other.pk}/leads/").status_code == 404
    assert client.get(f"{URL}999999/").status_code == 404
    assert api_client(supervisor).get(f"{URL}{other.pk}/").status_code == 200
    assert api_client(agent).get(f"{URL}{mine.pk}/").status_code == 403
    assert APIClient().get(f"{URL}{mine.pk}/").status_code == 401
    assert client.get(f"{URL}{mine.pk}/leads/", {"outcome": "lost"}).status_code == 400


def test_the_admin_shows_the_progress_bar(admin_client):
    run = _run_with_records("lead-generator", rejected=3)

    page = admin_client.get(f"/admin/berinia_sync/exportrun/{run.pk}/change/").content.decode()
    changelist = admin_client.get("/admin/berinia_sync/exportrun/").content.decode()

    assert '<progress value="120" max="200" title="60%">60%</progress> 120 / 200' in page
    assert "what happened to each lead" in page
    assert '<progress value="120" max="200"' in changelist


def test_a_json_body_over_djangos_upload_limit_is_queued_and_one_over_32_mib_is_a_413(client, campaign, settings):
    leads = [infra_lead(n, campaign.pk) for n in range(1, 5001)]
    body = json.dumps({"leads": leads})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    assert client.post(URL, body, content_type="application/json").status_code == 202
    assert ExportRun.objects.get().total == 5000

    huge = json.dumps({"leads": leads * 12})  # ~36 MB
    response = client.post(URL, huge, content_type="application/json")
    assert response.status_code == 413 and response.json()["type"] == "request_too_large"
    assert ExportRun.objects.count() == 1


def test_a_file_over_the_upload_limit_is_a_413(client, monkeypatch):
    from berinia_sync.api import views

    monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 1000)

    response = upload(client, "leads.jsonl", b'{"id": "a"}\n' * 100)

    assert response.status_code == 413 and not ExportRun.objects.exists()
