"""The console and the handoff packet: the ticket page's checklist, legacy contexts as before, the queue countdown."""

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handoff import services
from tests.accounts.two_factor_factories import force_login
from tests.crm.factories import CrmActionFactory
from tests.handoff.factories import HandoffTicketFactory, handoff_packet
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:handoff_handoffticket_changelist")


def _page(user, url) -> str:
    response = force_login(Client(), user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _ticket_page(user, ticket) -> str:
    return _page(user, reverse("admin:handoff_handoffticket_change", args=[ticket.pk]))


def _section(body: str, element_id: str) -> str:
    match = re.search(rf'<(ul|dl) class="[^"]*" id="{element_id}">(.*?)</\1>', body, re.S)
    assert match, f"#{element_id} is missing"
    return re.sub(r"\s+", " ", match.group(2))


def test_the_ticket_page_shows_a_packet_as_a_checklist(agent):
    interaction = InteractionFactory()
    action = CrmActionFactory(interaction=interaction, success=False)
    due = timezone.now() + datetime.timedelta(hours=3)
    ticket = services.create_handoff_ticket(
        interaction_id=interaction.pk,
        reason="Dispute",
        context_data=handoff_packet(due_at=due, actions_done=[action]),
    )
    body = _ticket_page(agent, ticket)
    assert "(handoff packet v1)" in body

    understood = _section(body, "cb-packet-understood")
    assert "intent: <strong>claim_dispute</strong>" in understood
    assert "policy number: <strong>POL-2024-118</strong>" in understood
    assert "vehicle: <strong>AB-123-CD</strong>" in understood

    done = _section(body, "cb-packet-done")
    assert "Checked the claim status" in done and "failed" in done
    assert f'href="#cb-crm-action-{action.pk}"' in done  # a link to the row of the CRM actions table
    assert f'<tr id="cb-crm-action-{action.pk}">' in body

    promised = _section(body, "cb-packet-promised")
    local_due = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    assert "An adviser calls you back before 14:00" in promised and f"by <strong>{local_due}</strong>" in promised
    assert "We e-mail you the complaint form" in promised and "send_form" in promised
    assert f'id="cb-due-at">{local_due}<' in body  # the ticket's due time in its summary

    assert "Photos of the damage" in _section(body, "cb-packet-missing")
    preference = _section(body, "cb-packet-preference")
    after = timezone.localtime(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)).strftime("%Y-%m-%d %H:%M")
    assert "<dd>phone</dd>" in preference and f"after {after}" in preference


def test_an_action_not_on_the_page_is_named_without_a_link(agent):
    missing = uuid.uuid4()
    packet = handoff_packet()
    packet["actions_done"] = [{"action_id": str(missing), "description": "Sent an SMS"}]
    ticket = HandoffTicketFactory(context_data=packet)  # written around the service (e.g. an old import)
    done = _section(_ticket_page(agent, ticket), "cb-packet-done")
    assert f"CRM action #{str(missing)[:8]} (not found)" in done and "href" not in done


def test_a_legacy_context_renders_as_key_value_pairs_as_before(agent):
    ticket = HandoffTicketFactory(context_data={"policy_number": "POL-1", "emotion": "angry"})
    body = _ticket_page(agent, ticket)
    # As before this change: one dt/dd per key, in jsonb's key order.
    assert '<dl class="cb-facts"><dt>emotion</dt><dd>angry</dd><dt>policy_number</dt><dd>POL-1</dd></dl>' in body
    assert 'id="cb-packet"' not in body and "handoff packet" not in body and 'id="cb-due-at"' not in body
    empty = _ticket_page(agent, HandoffTicketFactory(context_data={}))
    assert re.search(r'id="cb-context">.*?<p class="cb-muted">None.</p>', empty, re.S)


def test_the_queue_page_counts_down_to_the_promised_time(agent):
    now = timezone.now()
    later = HandoffTicketFactory(due_at=now + datetime.timedelta(minutes=25, seconds=40))
    soon = HandoffTicketFactory(due_at=now + datetime.timedelta(minutes=10, seconds=40))
    overdue = HandoffTicketFactory(due_at=now - datetime.timedelta(minutes=5, seconds=20))
    far = HandoffTicketFactory(due_at=now + datetime.timedelta(hours=2, minutes=5, seconds=40))
    HandoffTicketFactory(due_at=None)
    body = _page(agent, QUEUE_URL)
    cells = re.findall(r'<td class="field-due">(.*?)</td>', body)
    assert len(cells) == 5 and cells.count("—") == 1

    def cell(ticket):
        title = timezone.localtime(ticket.due_at).strftime("%Y-%m-%d %H:%M")
        return f'title="promised for {title}">'

    assert f'<span class="cb-due cb-due-later" {cell(later)}due in 25 min</span>' in body
    assert f'<span class="cb-due cb-due-soon" {cell(soon)}due in 10 min</span>' in body
    assert f'<span class="cb-due cb-due-overdue" {cell(overdue)}overdue 5 min</span>' in body
    assert f'<span class="cb-due cb-due-later" {cell(far)}due in 2 h 05 min</span>' in body
    assert "amber within 15 min, red once overdue" in body


def test_the_queue_sorts_by_due_time_and_resolved_tickets_show_no_countdown(agent):
    now = timezone.now()
    second = HandoffTicketFactory(due_at=now + datetime.timedelta(hours=2))
    first = HandoffTicketFactory(due_at=now + datetime.timedelta(minutes=30))
    HandoffTicketFactory(status="resolved", resolved_at=now, due_at=now - datetime.timedelta(hours=1))
    client = force_login(Client(), agent)
    due_column = list(client.get(QUEUE_URL).context["cl"].list_display).index("due")
    listed = client.get(QUEUE_URL, {"o": str(due_column)}).context["cl"].result_list
    assert [t.pk for t in listed][:2] == [first.pk, second.pk]
    everything = client.get(QUEUE_URL, {"state": "all"}).content.decode()
    assert "overdue 60 min" not in everything and "overdue 1 h" not in everything
