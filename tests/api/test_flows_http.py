"""The seed's two flows, driven through HTTP only (no service or ORM call to set anything up)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import is_bot
from tests.accounts.two_factor_factories import force_login
from tests.api.conftest import token_client
from tests.handoff.factories import QueueFactory

pytestmark = pytest.mark.django_db


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json() if response.content else None


def test_simple_crm_case_over_http(bot_client, agent_client, agent, client):
    interaction = _ok(
        bot_client.post(
            "/api/v1/interactions/",
            {"customer_id": "CUST-001", "channel": "phone", "intent": "update_address", "confidence_score": 0.95},
            format="json",
        ),
        201,
    )
    url = f"/api/v1/interactions/{interaction['interaction_id']}"
    _ok(bot_client.post(f"{url}/messages/", {"speaker": "customer", "message": "Je déménage"}, format="json"), 201)
    # update_address needs a person's approval: the bot proposes, the agent approves in the console (HTTP to
    # the admin), the bot reads the decision and logs the action with the proposal's id.
    proposal = _ok(
        bot_client.post(
            f"{url}/crm-actions/proposals/",
            {
                "action_type": "update_address",
                "input_data": {"address": "3 rue Neuve"},
                "reason": "The customer moved.",
            },
            format="json",
        ),
        201,
    )
    force_login(client, agent)
    assert client.post("/admin/crm/actionproposal/claim-next/").status_code == 302
    assert client.post(f"/admin/crm/actionproposal/{proposal['proposal_id']}/approve/").status_code == 302
    decided = _ok(bot_client.get(f"/api/v1/crm-actions/proposals/{proposal['proposal_id']}/"))
    assert decided["status"] == "approved"
    action = _ok(
        bot_client.post(
            f"{url}/crm-actions/",
            {"customer_id": "CUST-001", "action_type": "update_address", "proposal_id": proposal["proposal_id"]},
            format="json",
        ),
        201,
    )
    assert action["input_data"] == {"address": "3 rue Neuve"}
    _ok(bot_client.post(f"{url}/responses/", {"response_text": "C'est fait.", "tone": "friendly"}, format="json"), 201)
    _ok(bot_client.post(f"{url}/messages/", {"speaker": "agent", "message": "C'est fait."}, format="json"), 201)
    done = _ok(bot_client.post(f"{url}/status/", {"status": "completed"}, format="json"))
    assert done["status"] == "completed" and done["resolution_time_seconds"] is not None

    history = _ok(bot_client.get(f"{url}/messages/"))["results"]
    assert [m["speaker"] for m in history] == ["customer", "agent"]
    today = timezone.localdate().isoformat()
    [day] = _ok(agent_client.get("/api/v1/metrics/daily/", {"date_from": today, "date_to": today}))
    assert (day["total_interactions"], day["completed"], day["escalated"], day["unique_customers"]) == (1, 1, 0, 1)


def test_complex_handoff_case_over_http(bot_client, agent_client, supervisor_client):
    QueueFactory(name="claims")  # bots name existing queues only
    turn = _ok(
        bot_client.post(
            "/api/v1/turns/",
            {
                "interaction": {
                    "customer_id": "CUST-002",
                    "channel": "phone",
                    "intent": "claim_dispute",
                    "urgency": "high",
                },
                "message": {"message": "Je conteste le refus !"},
                "crm_action": {"action_type": "check_policy_status", "success": False, "error_message": "suspended"},
                "response": {"response_text": "Je vous passe un conseiller.", "tone": "empathetic"},
                "handoff": {"reason": "Dispute", "priority": "high", "queue_name": "claims"},
            },
            format="json",
        ),
        201,
    )
    assert turn["interaction_status"] == "in_progress"
    queued = _ok(agent_client.get("/api/v1/tickets/", {"status": "queued", "queue_name": "claims"}))["results"]
    assert [t["ticket_id"] for t in queued] == [turn["ticket_id"]]
    notified = _ok(agent_client.get("/api/v1/notifications/", {"is_read": "false"}))["results"]
    assert notified[0]["ticket_id"] == turn["ticket_id"] and notified[0]["notification_type"] == "urgent"

    claimed = _ok(agent_client.post("/api/v1/tickets/claim-next/", {"queue_name": "claims"}, format="json"))
    assert (claimed["ticket_id"], claimed["assigned_agent"]) == (turn["ticket_id"], "alice")
    ticket_url = f"/api/v1/tickets/{turn['ticket_id']}"
    detail = _ok(agent_client.get(f"{ticket_url}/"))
    assert [m["speaker"] for m in detail["transcript"]] == ["customer", "agent"]
    _ok(agent_client.post(f"{ticket_url}/start/"))
    resolved = _ok(
        agent_client.post(
            f"{ticket_url}/resolve/", {"resolution_notes": "Explained", "reason_code": "other"}, format="json"
        )
    )
    assert resolved["status"] == "resolved"

    interaction = _ok(bot_client.get(f"/api/v1/interactions/{turn['interaction_id']}/"))
    assert (interaction["status"], interaction["assigned_agent"]) == ("completed", "alice")
    today = timezone.localdate().isoformat()
    [day] = _ok(supervisor_client.get("/api/v1/metrics/daily/", {"date_from": today, "date_to": today}))
    assert (day["total_interactions"], day["completed"], day["escalated"]) == (1, 1, 1)


def test_metrics_400_for_an_inverted_or_malformed_range(agent_client):
    inverted = agent_client.get("/api/v1/metrics/daily/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert inverted.status_code == 400 and "date_from" in inverted.json()["errors"]
    assert agent_client.get("/api/v1/metrics/daily/", {"date_from": "last week"}).status_code == 400


def test_a_token_from_the_command_line_works_against_the_api(db):
    out = StringIO()
    call_command("create_api_client", "crm-agent", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    user = get_user_model().objects.get(username="crm-agent")
    assert is_bot(user) and not user.is_staff and not user.has_usable_password()
    client = token_client(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/interactions/").status_code == 200
