"""An agent and a supervisor use the console in a real browser, as on the demo data of `make run`."""

import pytest
from django.utils import timezone

from callbot_site.demo import load_demo_data
from handoff.models import HandoffTicket
from tests.accounts.two_factor_factories import TOTPDeviceFactory
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.handoff.factories import PASSWORD, AgentFactory, SupervisorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    """The demo's agents (password PASSWORD) and its tickets in the claims and billing queues."""
    agent1, agent2 = AgentFactory(username="agent1"), AgentFactory(username="agent2")
    supervisor = SupervisorFactory(username="supervisor")
    TOTPDeviceFactory(user=supervisor)  # supervisors sign in with a TOTP code
    load_demo_data()
    return agent1, agent2, supervisor


def _login(page, live_server, username):
    log_in(page, live_server, username, PASSWORD)  # supervisors give their TOTP code too
    page.wait_for_selector("#cb-console-home")


def test_agent_claims_reads_starts_and_resolves(page, live_server, people, screenshot_dir):
    agent1 = people[0]
    _login(page, live_server, "agent1")
    page.click("text=Ticket queue")
    page.wait_for_selector("#cb-queue-board")
    assert page.locator("#result_list tbody tr").count() == 4
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "queue_page.png", full_page=True)

    page.click("#cb-claim-next")
    page.wait_for_selector("#cb-transcript")
    assert "claimed a high ticket from claims" in page.inner_text(".messagelist")
    turns = page.locator(".cb-transcript li").all_inner_texts()
    assert "Mon sinistre a été refusé" in turns[0] and "conseiller" in turns[1]
    assert "Chloé Petit" in page.inner_text("#cb-customer")
    assert "failed" in page.inner_text("#cb-crm-actions")

    page.click("#cb-start")
    page.wait_for_selector("#cb-resolve-form")
    assert page.inner_text("#cb-status").lower() == "in progress"
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "ticket_page.png", full_page=True)
    page.select_option("#cb-reason-code", "policy-exception")
    page.fill("#cb-notes", "Claim reopened after review of the photos.")
    page.click("#cb-resolve")
    page.wait_for_selector("#cb-queue-board")
    assert "Ticket resolved." in page.inner_text(".messagelist")

    ticket = HandoffTicket.objects.get(status="resolved")
    assert (ticket.assigned_agent, ticket.resolution_reason_id) == (agent1, "policy-exception")
    assert list(ticket.events.values_list("action", flat=True)) == ["created", "claimed", "started", "resolved"]


def test_supervisor_reassigns_a_ticket(page, live_server, people):
    agent1, agent2, _ = people
    ticket = HandoffTicket.objects.filter(queue_id="billing").get()
    HandoffTicket.objects.filter(pk=ticket.pk).update(
        status="assigned", assigned_agent=agent1, assigned_at=timezone.now()
    )
    _login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/admin/handoff/handoffticket/{ticket.pk}/change/")
    page.select_option("#cb-agent", "agent2")
    page.fill("#cb-assign-reason", "agent1 is away")  # the ticket has a holder: a reason is required
    page.click("#cb-assign")
    page.wait_for_selector(".messagelist")
    assert "Ticket assigned to agent2." in page.inner_text(".messagelist")
    assert page.inner_text("#cb-holder") == "agent2"
    assert "agent1 → agent2" in page.inner_text("#cb-history")
    ticket.refresh_from_db()
    assert ticket.assigned_agent == agent2
    assert ticket.events.get(action="reassigned").note == "agent1 is away"


def test_an_agent_is_refused_another_agents_ticket(page, live_server, people):
    agent1 = people[0]
    ticket = HandoffTicket.objects.filter(queue_id="billing").get()
    HandoffTicket.objects.filter(pk=ticket.pk).update(
        status="assigned", assigned_agent=agent1, assigned_at=timezone.now()
    )
    _login(page, live_server, "agent2")
    page.goto(f"{live_server.url}/admin/handoff/handoffticket/{ticket.pk}/change/")
    assert page.locator("#cb-start").count() == 0
    assert "only they or a supervisor can work it" in page.inner_text("#cb-no-action")
    # Even a hand-made request is refused by the service, with a message.
    page.evaluate(
        """(url) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        const t = document.createElement('input'); t.name = 'csrfmiddlewaretoken';
        t.value = document.cookie.match(/csrftoken=([^;]+)/)[1]; f.appendChild(t);
        document.body.appendChild(f); f.submit(); }""",
        f"/admin/handoff/handoffticket/{ticket.pk}/start/",
    )
    page.wait_for_selector(".messagelist")
    assert "held by agent1" in page.inner_text(".messagelist")
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"
