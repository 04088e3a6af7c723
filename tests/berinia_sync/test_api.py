"""POST /api/v1/berinia/exports/ for the lead-generation agent."""

import pytest
from rest_framework.test import APIClient

from berinia_sync.models import BeriniaLead, ExportRun
from tests.api.factories import BotFactory
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import infra_lead
from tests.handoff.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)
URL = "/api/v1/berinia/exports/"


def api_client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def lead_bot(db):
    return BotFactory(username="lead-generator")


@pytest.fixture
def client(lead_bot):
    return api_client(lead_bot)


def test_leads_are_exported_and_rejections_listed(client, campaign, lead_bot):
    response = client.post(URL, {"leads": [infra_lead(1, campaign.pk), infra_lead(2, campaign.pk, email="nope")]})

    assert response.status_code == 201
    body = response.json()
    assert (body["inserted"], body["rejected"]) == (1, 1)
    assert body["rejected_leads"][0]["id"] == "apify_1752573012_2"
    assert body["rejected_leads"][0]["reason"].startswith("invalid_email:")
    assert BeriniaLead.objects.count() == 1
    assert ExportRun.objects.get(pk=body["run_id"]).started_by == "lead-generator"


def test_an_unknown_run_campaign_is_a_400(client, campaign):
    response = client.post(URL, {"leads": [infra_lead(1, campaign.pk)], "campaign_id": 4242})

    assert response.status_code == 400
    assert "4242" in response.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"leads": []}, {"leads": ["x"]}, {"leads": [{}] * 1001, "dry_run": True}])
def test_a_malformed_or_oversized_body_is_a_400(client, body):
    assert client.post(URL, body).status_code == 400


def test_anonymous_callers_are_refused(campaign):
    assert APIClient().post(URL, {"leads": [infra_lead(1, campaign.pk)]}).status_code == 401


@pytest.mark.parametrize("role, expected", [("supervisor", 201), ("agent", 403), ("no_role", 403)])
def test_only_bots_and_supervisors_export(role, expected, campaign, agent, supervisor):
    users = {"supervisor": supervisor, "agent": agent, "no_role": UserFactory(username="nobody")}
    response = api_client(users[role]).post(URL, {"leads": [infra_lead(1, campaign.pk)]})
    assert response.status_code == expected
    assert BeriniaLead.objects.count() == (1 if expected == 201 else 0)


def test_a_campaign_id_beyond_berinia_ids_is_a_400_not_a_crash(client, campaign):
    response = client.post(URL, {"leads": [infra_lead(1, campaign.pk)], "campaign_id": 2**40}, format="json")
    assert response.status_code == 400
    assert "does not exist in Berinia" in response.json()["detail"]
    assert not ExportRun.objects.exists()
