"""A lead carrying a character PostgreSQL's text cannot hold is rejected alone; the rest of the run exports."""

import json

import pytest
from rest_framework.test import APIClient

from berinia_sync.models import BeriniaLead, ExportRecord, ExportRun
from tests.api.factories import BotFactory
from tests.berinia_sync.conftest import BERINIA_DB, run_export
from tests.berinia_sync.factories import infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)
BAD_VALUES = [
    ("city", "Par\x00is", "NUL character"),
    ("contact_name", "Ann \udc80Lee", "lone surrogate"),
    ("reviews", {"text": ["ok", "b\x00d"]}, "NUL character"),  # kept in score_details (JSONB)
    ("id", "apify_\ud800", "lone surrogate"),  # the report still names the lead
]


@pytest.mark.parametrize("field, value, what", BAD_VALUES)
def test_the_command_rejects_the_lead_and_exports_the_rest(tmp_path, campaign, field, value, what):
    path = tmp_path / "leads.json"
    path.write_text(json.dumps([infra_lead(1, campaign.pk), infra_lead(2, campaign.pk, **{field: value})]))
    report = tmp_path / "rejected.json"

    code, _ = run_export(str(path), "--report", str(report))

    assert code == 3
    [rejection] = [lead for lead in json.loads(report.read_text()) if lead["outcome"] == "rejected"]
    assert rejection["position"] == 2
    assert f"field {field!r} contains a {what}, which Berinia cannot store" in rejection["reason"]
    assert BeriniaLead.objects.count() == 1
    assert ExportRun.objects.get().status != "failed"


def test_the_api_rejects_the_lead_and_exports_the_rest(campaign):
    client = APIClient()
    client.force_authenticate(BotFactory(username="lead-generator"))
    leads = [infra_lead(1, campaign.pk), infra_lead(2, campaign.pk, city="Par\x00is")]

    response = client.post("/api/v1/berinia/exports/", {"leads": leads}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["inserted"], body["rejected"]) == (1, 1)
    assert "NUL character" in body["rejected_leads"][0]["reason"]
    record = ExportRecord.objects.get(position=2)
    assert record.outcome == "rejected" and "'city'" in record.reason
