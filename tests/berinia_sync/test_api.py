"""POST /api/v1/berinia/exports/ for the lead-generation agent."""

import pytest
from rest_framework.test import APIClient

from berinia_sync.models import BeriniaLead, ExportRun
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)
URL = "/api/v1/berinia/exports/"


@pytest.fixture
def client(agent):
    api = APIClient()
    api.force_authenticate(agent)
    return api


def test_leads_are_exported_and_rejections_listed(client, campaign, agent):
    response = client.post(URL, {"leads": [infra_lead(1, campaign.pk), infra_lead(2, campaign.pk, email="nope")]})

    assert response.status_code == 201
    body = response.json()
    assert (body["inserted"], body["rejected"]) == (1, 1)
    assert body["rejected_leads"][0]["id"] == "apify_1752573012_2"
    assert body["rejected_leads"][0]["reason"].startswith("invalid_email:")
    assert BeriniaLead.objects.count() == 1
    assert ExportRun.objects.get(pk=body["run_id"]).started_by == agent.username


def test_an_unknown_run_campaign_is_a_400(client, campaign):
    response = client.post(URL, {"leads": [infra_lead(1, campaign.pk)], "campaign_id": 4242})

    assert response.status_code == 400
    assert "4242" in response.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"leads": []}, {"leads": ["x"]}, {"leads": [{}] * 1001}])
def test_a_malformed_or_oversized_body_is_a_400(client, body):
    assert client.post(URL, body).status_code == 400


def test_anonymous_callers_are_refused(campaign):
    assert APIClient().post(URL, {"leads": [infra_lead(1, campaign.pk)]}).status_code in (401, 403)
