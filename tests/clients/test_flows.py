"""The seed's two flows through `callbot_client` against a live server, checked in the database; a timed-out write."""

import datetime
import threading
import time
from decimal import Decimal

import httpx
import pytest
from callbot_client import Conflict, DatabaseService, RetryPolicy
from django.contrib.auth import get_user_model
from django.utils import timezone

from crm import approvals
from crm.models import ActionProposal, CrmAction
from handoff.models import HandoffTicket
from idempotency.models import IdempotencyKey
from interactions.models import ConversationMessage, Interaction, ResponseLog
from tests.clients.conftest import connect
from tests.handoff.factories import QueueFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def _today_range() -> dict:
    today = timezone.localdate()
    return {"date_from": today - datetime.timedelta(days=1), "date_to": today + datetime.timedelta(days=1)}


def test_simple_crm_case(live_server_url, tokens):
    """The seed's address change, now gated: the bot proposes, a person approves (in the console, here its
    service), the bot reads the decision and logs the action with the proposal's id."""
    with DatabaseService(base_url=live_server_url, token=tokens.bot) as db_service:
        interaction = db_service.create_interaction(
            customer_id="CUST-001",
            channel="phone",
            intent="update_address",
            emotion="neutral",
            confidence_score=Decimal("0.95"),
        )
        interaction_id = interaction["interaction_id"]
        db_service.add_conversation_message(
            interaction_id=interaction_id, speaker="customer", message="Je déménage au 3 rue Neuve"
        )
        with pytest.raises(Conflict):  # gated: not without a person's approval
            db_service.log_crm_action(
                interaction_id=interaction_id, customer_id="CUST-001", action_type="update_address"
            )
        proposal = db_service.propose_crm_action(
            interaction_id=interaction_id,
            action_type="update_address",
            input_data={"address": "3 rue Neuve"},
            reason="The customer moved",
        )
        alice = get_user_model().objects.get(username="alice")
        approvals.claim_next_proposal(agent=alice)
        approvals.approve_proposal(proposal_id=proposal["proposal_id"], actor=alice)
        decided = db_service.get_proposal(proposal_id=proposal["proposal_id"])
        action = db_service.log_crm_action(
            interaction_id=interaction_id,
            customer_id="CUST-001",
            action_type="update_address",
            input_data={"address": "3 rue Neuve"},
            output_data={"ok": True},
            execution_time_ms=210,
            proposal_id=proposal["proposal_id"],
        )
        db_service.log_response(interaction_id=interaction_id, response_text="C'est fait.", tone="friendly")
        db_service.add_conversation_message(interaction_id=interaction_id, speaker="agent", message="C'est fait.")
        done = db_service.update_interaction_status(interaction_id=interaction_id, status="completed")
        history = db_service.get_conversation_history(interaction_id=interaction_id)
    with DatabaseService(base_url=live_server_url, token=tokens.agent) as agent_service:
        days = agent_service.get_daily_metrics(**_today_range())

    assert done["status"] == "completed" and done["resolution_time_seconds"] is not None
    assert [(m["turn_number"], m["speaker"]) for m in history] == [(1, "customer"), (2, "agent")]
    stored = Interaction.objects.get(pk=interaction_id)
    assert (stored.customer_id, stored.status, stored.confidence_score) == ("CUST-001", "completed", Decimal("0.950"))
    assert stored.resolved_at is not None and stored.resolution_time_seconds is not None
    messages = ConversationMessage.objects.filter(interaction=stored).order_by("turn_number")
    assert [(m.speaker, m.message, m.author.username) for m in messages] == [
        ("customer", "Je déménage au 3 rue Neuve", "tool-router"),
        ("agent", "C'est fait.", "tool-router"),
    ]
    crm = CrmAction.objects.get(pk=action["action_id"])
    assert (crm.interaction_id, crm.input_data, crm.output_data, crm.success, crm.execution_time_ms) == (
        stored.pk,
        {"address": "3 rue Neuve"},
        {"ok": True},
        True,
        210,
    )
    assert list(ResponseLog.objects.filter(interaction=stored).values_list("response_text", "tone")) == [
        ("C'est fait.", "friendly")
    ]
    assert decided["status"] == "approved" and decided["approved_input"] == {"address": "3 rue Neuve"}
    assert ActionProposal.objects.get(pk=proposal["proposal_id"]).executed_action_id == crm.pk
    # One Idempotency-Key per write: seven accepted POSTs, seven distinct keys (a refused one keeps none).
    keys = IdempotencyKey.objects.filter(client__username="tool-router")
    assert keys.count() == 7 and keys.filter(response_status__in=(200, 201)).count() == 7
    [day] = days
    assert day["date"] == timezone.localdate(stored.created_at).isoformat()
    assert (day["total_interactions"], day["completed"], day["escalated"], day["unique_customers"]) == (1, 1, 0, 1)


def test_complex_handoff_case(live_server_url, tokens):
    QueueFactory(name="claims")  # bots name existing queues only
    with DatabaseService(base_url=live_server_url, token=tokens.bot) as db_service:
        interaction = db_service.create_interaction(
            customer_id="CUST-002",
            channel="phone",
            intent="claim_dispute",
            emotion="angry",
            urgency="high",
            confidence_score=0.4,
        )
        interaction_id = interaction["interaction_id"]
        db_service.add_conversation_message(
            interaction_id=interaction_id, speaker="customer", message="Je conteste le refus !"
        )
        db_service.log_crm_action(
            interaction_id=interaction_id,
            customer_id="CUST-002",
            action_type="check_policy_status",
            success=False,
            error_message="policy suspended",
        )
        ticket = db_service.create_handoff_ticket(
            interaction_id=interaction_id, reason="Dispute", priority="high", queue_name="claims"
        )
        assert Interaction.objects.get(pk=interaction_id).status == "in_progress"
        # The people act with their own tokens, through the bot's service.
        assigned = db_service.assign_ticket_to_agent(
            ticket_id=ticket["ticket_id"], agent="alice", actor=tokens.supervisor
        )
        resolved = db_service.resolve_ticket(
            ticket_id=ticket["ticket_id"],
            resolution_notes="Explained the suspension",
            reason_code="other",
            actor=tokens.agent,
        )
    with DatabaseService(base_url=live_server_url, token=tokens.supervisor) as supervisor_service:
        days = supervisor_service.get_daily_metrics(**_today_range())

    assert (ticket["status"], ticket["queue_name"], ticket["customer_id"]) == ("queued", "claims", "CUST-002")
    assert (assigned["status"], assigned["assigned_agent"]) == ("assigned", "alice")
    assert resolved["status"] == "resolved" and resolved["resolution_reason"] == "other"
    stored_ticket = HandoffTicket.objects.get(pk=ticket["ticket_id"])
    assert (stored_ticket.status, stored_ticket.assigned_agent.username, stored_ticket.resolution_reason_id) == (
        "resolved",
        "alice",
        "other",
    )
    assert stored_ticket.resolution_notes == "Explained the suspension"
    events = stored_ticket.events.order_by("created_at", "pk")
    assert [(e.action, e.actor.username if e.actor else None) for e in events] == [
        ("created", None),
        ("assigned", "sam"),
        ("resolved", "alice"),
    ]
    crm = CrmAction.objects.get(interaction_id=interaction_id)
    assert (crm.success, crm.error_message) == (False, "policy suspended")
    stored = Interaction.objects.get(pk=interaction_id)
    assert (stored.status, stored.assigned_agent, stored.urgency) == ("completed", "alice", "high")
    [day] = days
    assert (day["total_interactions"], day["completed"], day["escalated"]) == (1, 1, 1)


def _release_when_waiting(holder, waiters: int, seen: list) -> None:
    """Roll back `holder` (releasing its row lock) once `waiters` requests wait on locks, or after 30 s."""
    deadline = time.monotonic() + 30
    with connect(autocommit=True) as watcher:
        while time.monotonic() < deadline:
            count = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> %s",
                [holder.info.backend_pid],
            ).fetchone()[0]
            if count >= waiters:
                seen.append(count)
                break
            time.sleep(0.05)
    holder.rollback()


def test_a_timed_out_write_is_retried_with_its_key_and_recorded_once(live_server_url, tokens):
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    fast = RetryPolicy(max_attempts=6, max_seconds=60, backoff_base=0.1, backoff_max=0.5)
    db_service = DatabaseService(base_url=live_server_url, token=tokens.bot, timeout=1.0, retry=fast, http_client=http)
    interaction = db_service.create_interaction(customer_id="CUST-003", channel="chat")
    sent.clear()
    # Hold the interaction's row lock: the first try blocks inside the server until the client gives up on it.
    holder = connect()
    holder.execute("SELECT 1 FROM interactions WHERE interaction_id = %s FOR UPDATE", [interaction["interaction_id"]])
    seen: list[int] = []
    releaser = threading.Thread(target=_release_when_waiting, args=(holder, 2, seen))
    releaser.start()
    try:
        message = db_service.add_conversation_message(
            interaction_id=interaction["interaction_id"], speaker="customer", message="Allô ?"
        )
    finally:
        releaser.join(timeout=60)
        holder.close()
        http.close()

    # The first try timed out while blocked, a retry with the same key arrived (two requests waited at once).
    assert seen and seen[0] >= 2
    keys = {request.headers["Idempotency-Key"] for request in sent}
    assert len(sent) >= 2 and len(keys) == 1
    assert len({request.content for request in sent}) == 1
    # The turn is written once; the answer is that one turn.
    stored = ConversationMessage.objects.filter(interaction_id=interaction["interaction_id"])
    assert list(stored.values_list("turn_number", "message")) == [(1, "Allô ?")]
    assert (message["message_id"], message["turn_number"]) == (str(stored.get().pk), 1)
    assert IdempotencyKey.objects.filter(client__username="tool-router", key=keys.pop()).count() == 1
