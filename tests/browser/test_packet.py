"""An agent reads a structured handoff packet and the queue's countdown in a real browser."""

import datetime

import pytest
from django.utils import timezone

from handoff import services
from handoff.models import HandoffTicket
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.crm.factories import CrmActionFactory, CustomerFactory
from tests.handoff.factories import PASSWORD, AgentFactory, QueueFactory, handoff_packet
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_ticket(customer_name: str, reason: str, context_data_for, *, queue="claims", priority="medium"):
    QueueFactory(name=queue)  # bots name existing queues only
    customer = CustomerFactory(name=customer_name)
    interaction = InteractionFactory(customer_id=customer.customer_id, intent="claim_dispute", emotion="frustrated")
    ConversationMessageFactory(interaction=interaction, turn_number=1, message="Mon sinistre a été refusé.")
    action = CrmActionFactory(interaction=interaction, success=True)
    return services.create_handoff_ticket(
        interaction_id=interaction.pk,
        reason=reason,
        priority=priority,
        queue_name=queue,
        context_data=context_data_for(action),
    )


@pytest.fixture
def tickets():
    AgentFactory(username="agent1")
    now = timezone.now()
    structured = _open_ticket(
        "Chloé Petit",
        "Disputes a refused water-damage claim",
        lambda action: handoff_packet(due_at=now + datetime.timedelta(minutes=25, seconds=55), actions_done=[action]),
        priority="high",
    )
    soon = _open_ticket(
        "Hugo Martin",
        "Wants the cancellation form",
        lambda action: {
            "version": 1,
            "promises": [
                {
                    "text": "We send you the form",
                    "kind": "send_form",
                    "due_at": (now + datetime.timedelta(minutes=9, seconds=55)).isoformat(),
                }
            ],
        },
        queue="billing",
    )
    overdue = _open_ticket(
        "Léa Bernard",
        "Callback promised this morning",
        lambda action: {
            "version": 1,
            "promises": [
                {
                    "text": "An adviser calls back",
                    "kind": "callback",
                    "due_at": (now - datetime.timedelta(minutes=5, seconds=2)).isoformat(),
                }
            ],
        },
    )
    legacy = _open_ticket("Tom Durand", "Address change", lambda action: {"policy_number": "POL-9"}, priority="low")
    return structured, soon, overdue, legacy


def test_the_ticket_page_shows_the_packet_as_a_checklist(page, live_server, tickets, screenshot_dir):
    structured = tickets[0]
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}/admin/handoff/handoffticket/{structured.pk}/change/")
    page.wait_for_selector("#cb-packet")
    assert "intent: claim_dispute" in page.inner_text("#cb-packet-understood")
    assert "policy number: POL-2024-118" in page.inner_text("#cb-packet-understood")
    assert "An adviser calls you back before 14:00" in page.inner_text("#cb-packet-promised")
    assert "Photos of the damage" in page.inner_text("#cb-packet-missing")
    page.click("#cb-packet-done a.cb-action-link")  # jumps to the CRM action's row on the same page
    action_id = HandoffTicket.objects.get(pk=structured.pk).context_data["actions_done"][0]["action_id"]
    assert page.url.endswith(f"#cb-crm-action-{action_id}")
    assert page.locator(f"#cb-crm-action-{action_id}").is_visible()
    assert_no_csp_violation(page)
    page.locator("#cb-packet").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "ticket-structured-packet.png", full_page=True)


def test_the_queue_counts_down_to_promised_times(page, live_server, tickets, screenshot_dir):
    structured, soon, overdue, legacy = tickets
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}/admin/handoff/handoffticket/")
    page.wait_for_selector("#cb-queue-board")
    rows = {
        row.locator(".field-ticket_link").inner_text(): row.locator(".field-due").inner_text()
        for row in page.locator("#result_list tbody tr").all()
    }
    assert rows == {
        f"#{str(structured.pk)[:8]}": "due in 25 min",
        f"#{str(soon.pk)[:8]}": "due in 9 min",
        f"#{str(overdue.pk)[:8]}": "overdue 5 min",
        f"#{str(legacy.pk)[:8]}": "—",
    }
    overdue_cell = page.locator(".cb-due-overdue")
    assert overdue_cell.evaluate("e => getComputedStyle(e).color") == "rgb(166, 27, 27)"  # console.css is served
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "queue-countdown.png", full_page=True)
