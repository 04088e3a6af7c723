"""The approval loop over HTTP: the bot proposes, an agent decides in the console, the bot reads the
decision and logs the executed action once; the gate through crm-actions/ and turns/; permissions."""

import pytest

from crm import approvals
from crm.models import ActionProposal, CrmAction, ProposalEvent
from tests.accounts.two_factor_factories import force_login
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

ADDRESS = {"address": "3 rue Neuve", "city": "Lyon"}


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def start(bot_client, customer="CUST-001"):
    body = {
        "interaction": {"customer_id": customer, "channel": "phone", "intent": "update_address"},
        "message": {"message": "Je déménage à Lyon."},
    }
    return _ok(bot_client.post("/api/v1/turns/", body, format="json"), 201)["interaction_id"]


def propose(client, interaction_id, action_type="update_address", input_data=None):
    body = {
        "action_type": action_type,
        "input_data": ADDRESS if input_data is None else input_data,
        "reason": "The customer moved.",
    }
    return client.post(f"/api/v1/interactions/{interaction_id}/crm-actions/proposals/", body, format="json")


def console_decide(client, agent, proposal_id, step, data=None):
    """The agent's clicks in the console (HTTP to the admin), after claiming next."""
    force_login(client, agent)
    claimed = client.post("/admin/crm/actionproposal/claim-next/")
    assert claimed.status_code == 302 and str(proposal_id) in claimed["Location"]
    response = client.post(f"/admin/crm/actionproposal/{proposal_id}/{step}/", data or {})
    assert response.status_code == 302
    return response


def test_approve_then_the_bot_reads_the_decision_and_logs_the_action_once(bot_client, client, agent):
    interaction_id = start(bot_client)
    proposal = _ok(propose(bot_client, interaction_id), 201)
    assert (proposal["status"], proposal["approved_input"], proposal["customer_id"]) == ("pending", None, "CUST-001")
    url = f"/api/v1/crm-actions/proposals/{proposal['proposal_id']}/"
    assert _ok(bot_client.get(url))["status"] == "pending"

    console_decide(client, agent, proposal["proposal_id"], "approve")

    decided = _ok(bot_client.get(url))
    assert (decided["status"], decided["approved_input"], decided["edited"]) == ("approved", ADDRESS, False)
    log = {"customer_id": "CUST-001", "action_type": "update_address", "proposal_id": proposal["proposal_id"]}
    action = _ok(bot_client.post(f"/api/v1/interactions/{interaction_id}/crm-actions/", log, format="json"), 201)
    assert (action["input_data"], action["proposal_id"]) == (ADDRESS, proposal["proposal_id"])
    assert _ok(bot_client.get(url))["executed_action_id"] == action["action_id"]

    again = bot_client.post(f"/api/v1/interactions/{interaction_id}/crm-actions/", log, format="json")
    assert again.status_code == 409 and again.json()["type"] == "conflict"
    assert "already executed" in again.json()["detail"]
    assert CrmAction.objects.count() == 1
    assert list(
        ProposalEvent.objects.filter(proposal_id=proposal["proposal_id"])
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == ["proposed", "claimed", "approved", "executed"]


def test_edit_and_approve_over_http_the_action_runs_with_the_edit(bot_client, client, agent):
    interaction_id = start(bot_client)
    proposal = _ok(propose(bot_client, interaction_id), 201)
    console_decide(
        client,
        agent,
        proposal["proposal_id"],
        "edit-approve",
        {"edited_input": '{"address": "5 rue Neuve", "city": "Lyon"}'},
    )
    decided = _ok(bot_client.get(f"/api/v1/crm-actions/proposals/{proposal['proposal_id']}/"))
    assert (decided["approved_input"], decided["edited"]) == ({"address": "5 rue Neuve", "city": "Lyon"}, True)

    url = f"/api/v1/interactions/{interaction_id}/crm-actions/"
    log = {"customer_id": "CUST-001", "action_type": "update_address", "proposal_id": proposal["proposal_id"]}
    wrong = bot_client.post(url, {**log, "input_data": ADDRESS}, format="json")
    assert wrong.status_code == 400 and "input_data" in wrong.json()["errors"]
    action = _ok(bot_client.post(url, {**log, "input_data": decided["approved_input"]}, format="json"), 201)
    assert action["input_data"] == {"address": "5 rue Neuve", "city": "Lyon"}


def test_reject_path_the_bot_reads_the_reason_and_cannot_execute(bot_client, client, agent):
    interaction_id = start(bot_client)
    proposal = _ok(propose(bot_client, interaction_id, "update_payment_method", {"iban": "FR76…"}), 201)
    console_decide(client, agent, proposal["proposal_id"], "reject", {"reason": "IBAN must be checked by phone."})
    decided = _ok(bot_client.get(f"/api/v1/crm-actions/proposals/{proposal['proposal_id']}/"))
    assert (decided["status"], decided["decision_reason"]) == ("rejected", "IBAN must be checked by phone.")
    refused = bot_client.post(
        f"/api/v1/interactions/{interaction_id}/crm-actions/",
        {"customer_id": "CUST-001", "action_type": "update_payment_method", "proposal_id": proposal["proposal_id"]},
        format="json",
    )
    assert refused.status_code == 409 and "rejected" in refused.json()["detail"]


def test_gated_action_without_an_approved_proposal_is_409_through_crm_actions_and_turns(bot_client):
    interaction_id = start(bot_client)
    direct = bot_client.post(
        f"/api/v1/interactions/{interaction_id}/crm-actions/",
        {"customer_id": "CUST-001", "action_type": "update_address", "input_data": ADDRESS},
        format="json",
    )
    assert direct.status_code == 409 and "proposal_id" in direct.json()["errors"]
    assert "update_address requires_approval" in direct.json()["detail"]
    turn = {
        "interaction_id": interaction_id,
        "message": {"message": "Alors ?"},
        "crm_action": {"action_type": "update_address", "input_data": ADDRESS},
    }
    through_turn = bot_client.post("/api/v1/turns/", turn, format="json")
    assert through_turn.status_code == 409 and "proposal_id" in through_turn.json()["errors"]
    pending = _ok(propose(bot_client, interaction_id), 201)
    turn["crm_action"]["proposal_id"] = pending["proposal_id"]
    not_yet = bot_client.post("/api/v1/turns/", turn, format="json")
    assert not_yet.status_code == 409 and "pending" in not_yet.json()["detail"]
    assert CrmAction.objects.count() == 0
    assert _ok(bot_client.get(f"/api/v1/interactions/{interaction_id}/messages/"))["count"] == 1  # turns rolled back


def test_a_turn_executes_an_approved_proposal(bot_client, agent):
    interaction_id = start(bot_client)
    proposal = _ok(propose(bot_client, interaction_id), 201)
    approvals.claim_next_proposal(agent=agent)
    approvals.approve_proposal(proposal_id=proposal["proposal_id"], actor=agent)
    turn = {
        "interaction_id": interaction_id,
        "message": {"message": "Merci"},
        "crm_action": {"action_type": "update_address", "proposal_id": proposal["proposal_id"]},
        "response": {"response_text": "C'est fait."},
    }
    done = _ok(bot_client.post("/api/v1/turns/", turn, format="json"), 201)
    assert ActionProposal.objects.get().executed_action_id == CrmAction.objects.get(pk=done["action_id"]).pk
    assert CrmAction.objects.get().input_data == ADDRESS
    again = bot_client.post("/api/v1/turns/", turn, format="json")
    assert again.status_code == 409


def test_ungated_actions_are_unaffected(bot_client):
    interaction_id = start(bot_client)
    action = _ok(
        bot_client.post(
            f"/api/v1/interactions/{interaction_id}/crm-actions/",
            {"customer_id": "CUST-001", "action_type": "check_policy_status"},
            format="json",
        ),
        201,
    )
    assert action["proposal_id"] is None and action["input_data"] == {}


def test_proposal_errors_400_404(bot_client):
    interaction_id = start(bot_client)
    bad = bot_client.post(
        f"/api/v1/interactions/{interaction_id}/crm-actions/proposals/",
        {"action_type": "drop_table", "reason": ""},
        format="json",
    )
    assert bad.status_code == 400 and {"action_type", "reason"} <= bad.json()["errors"].keys()
    unknown = propose(bot_client, "6f0c2a4e-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and unknown.json()["type"] == "not_found"
    assert bot_client.get("/api/v1/crm-actions/proposals/6f0c2a4e-0000-4000-8000-000000000000/").status_code == 404
    assert bot_client.get("/api/v1/crm-actions/proposals/not-a-uuid/").status_code == 404
    missing = bot_client.post(
        f"/api/v1/interactions/{interaction_id}/crm-actions/",
        {
            "customer_id": "CUST-001",
            "action_type": "update_address",
            "proposal_id": "6f0c2a4e-0000-4000-8000-000000000000",
        },
        format="json",
    )
    assert missing.status_code == 404


def test_the_decision_becomes_an_approval_decided_webhook_event(bot_client, client, agent):
    bot_client.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["approval.decided"]}, format="json"
    )
    interaction_id = start(bot_client)
    proposal = _ok(propose(bot_client, interaction_id), 201)
    console_decide(client, agent, proposal["proposal_id"], "reject", {"reason": "Not this time."})
    event = WebhookEvent.objects.get(type="approval.decided")
    assert event.payload["proposal_id"] == proposal["proposal_id"]
    assert (event.payload["status"], event.payload["decision_reason"], event.payload["approved_input"]) == (
        "rejected",
        "Not this time.",
        None,
    )
    assert "alice" not in str(event.payload)


@pytest.mark.parametrize(
    "who, propose_status, read_status",
    [
        ("bot_client", 201, 200),
        ("agent_client", 201, 200),
        ("supervisor_client", 201, 200),
        ("nobody_client", 403, 403),
        ("anonymous_client", 401, 401),
    ],
)
def test_permission_cells(request, bot_client, who, propose_status, read_status):
    interaction_id = start(bot_client)
    existing = _ok(propose(bot_client, interaction_id), 201)
    client = request.getfixturevalue(who)
    assert propose(client, interaction_id).status_code == propose_status
    assert client.get(f"/api/v1/crm-actions/proposals/{existing['proposal_id']}/").status_code == read_status
