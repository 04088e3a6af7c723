"""CRM endpoints: customers (create, read, patch) and CRM actions logged on an interaction."""

import uuid

import pytest

from crm.models import CrmAction, Customer
from tests.crm.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def test_create_customer_201_then_409_for_the_same_id(bot_client):
    body = {"customer_id": "C-42", "name": "Léa Roux", "email": "lea@example.org", "segment": "premium"}
    created = bot_client.post("/api/v1/customers/", body, format="json")
    assert created.status_code == 201
    assert Customer.objects.get(pk="C-42").segment == "premium"
    again = bot_client.post("/api/v1/customers/", body, format="json")
    assert again.status_code == 409 and again.json()["errors"] == {"customer_id": ["A customer with this id exists."]}


def test_create_customer_400_names_the_fields(bot_client):
    response = bot_client.post(
        "/api/v1/customers/", {"customer_id": "C-1", "name": "", "email": "nope", "segment": "gold"}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"name", "email", "segment"}
    assert errors["segment"] == ["'gold' is not allowed; allowed: premium, standard."]


def test_get_and_patch_customer_change_only_the_fields_sent(bot_client):
    customer = CustomerFactory(customer_id="C-7", name="Hugo", segment="standard")
    assert bot_client.get("/api/v1/customers/C-7/").json()["name"] == "Hugo"
    response = bot_client.patch("/api/v1/customers/C-7/", {"segment": "premium"}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.segment) == ("Hugo", "premium")


def test_customer_404_and_patch_400(bot_client):
    CustomerFactory(customer_id="C-7")
    assert bot_client.get("/api/v1/customers/C-404/").status_code == 404
    assert bot_client.patch("/api/v1/customers/C-404/", {"name": "x"}, format="json").status_code == 404
    bad = bot_client.patch("/api/v1/customers/C-7/", {"customer_id": "C-8"}, format="json")
    assert bad.status_code == 400 and "customer_id" in bad.json()["errors"]


def test_log_crm_action_201_400_404(bot_client):
    interaction = InteractionFactory(customer_id="C-1")
    url = f"/api/v1/interactions/{interaction.pk}/crm-actions/"
    ok = bot_client.post(
        url,
        {
            "customer_id": "C-1",
            "action_type": "check_policy_status",  # not gated; update_address: tests/api/test_approvals_api.py
            "input_data": {"address": "3 rue Neuve"},
            "success": False,
            "error_message": "CRM timeout",
            "execution_time_ms": 210,
        },
        format="json",
    )
    assert ok.status_code == 201
    action = CrmAction.objects.get(pk=ok.json()["action_id"])
    assert (action.interaction_id, action.success, action.input_data) == (
        interaction.pk,
        False,
        {"address": "3 rue Neuve"},
    )
    bad = bot_client.post(url, {"customer_id": "C-1", "action_type": "delete_everything"}, format="json")
    assert bad.status_code == 400 and "allowed: update_address" in bad.json()["errors"]["action_type"][0]
    missing = bot_client.post(
        f"/api/v1/interactions/{uuid.uuid4()}/crm-actions/",
        {"customer_id": "C-1", "action_type": "update_address"},
        format="json",
    )
    assert missing.status_code == 404
    assert CrmAction.objects.count() == 1
