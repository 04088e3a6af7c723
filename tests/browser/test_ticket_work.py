"""Issue 12's reassign-while-working scenario in a real browser: nothing typed on a ticket is lost.

agent1 claims and starts a ticket and types notes (saved as they type); the supervisor sees the ticket is
being worked and reassigns it to agent2 with a reason; agent1's Resolve then says plainly what happened;
agent1 has a notification; agent2 opens the ticket and reads agent1's notes.
"""

import re

import pytest
from playwright.sync_api import expect

from callbot_site.demo import load_demo_data
from handoff.models import AgentNotification, HandoffTicket, TicketNote
from tests.accounts.two_factor_factories import TOTPDeviceFactory
from tests.browser.helpers import assert_no_csp_violation, keep_csp_message, log_in
from tests.handoff.factories import PASSWORD, AgentFactory, SupervisorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTES = "Customer sent the garage invoice.\nExpert visit booked for Monday 9:00."
CSP_WATCH = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', (e) =>"
    " window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`));"
)


@pytest.fixture
def people():
    agent1, agent2 = AgentFactory(username="agent1"), AgentFactory(username="agent2")
    supervisor = SupervisorFactory(username="supervisor")
    TOTPDeviceFactory(user=supervisor)
    load_demo_data()
    return agent1, agent2, supervisor


@pytest.fixture
def second_page(browser):
    """Another person's browser (own cookies), watched for CSP violations like `page`."""
    contexts, violations = [], []

    def open_page(width=1680):
        context = browser.new_context(viewport={"width": width, "height": 1000})
        context.add_init_script(CSP_WATCH)
        contexts.append(context)
        new_page = context.new_page()
        new_page.on("console", lambda message: keep_csp_message(violations, message.text))
        return new_page

    yield open_page
    for context in contexts:
        context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def _ticket_url(live_server, ticket) -> str:
    return f"{live_server.url}/admin/handoff/handoffticket/{ticket.pk}/change/"


def test_reassigning_a_worked_ticket_keeps_the_notes_and_tells_the_agent(
    page, live_server, people, second_page, screenshot_dir
):
    agent1, agent2, _ = people

    # agent1 claims, starts and types notes: saved ~1 s after typing stops, without a click.
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}/admin/handoff/handoffticket/")
    page.click("#cb-claim-next")
    page.wait_for_selector("#cb-transcript")
    assert "take-back timer stops" in page.inner_text("#cb-start-help")
    page.click("#cb-start")
    page.wait_for_selector("#cb-working-notes")
    ticket = HandoffTicket.objects.get(assigned_agent=agent1)
    page.locator("#cb-working-notes").press_sequentially(NOTES, delay=5)
    expect(page.locator("#cb-notes-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"), timeout=10_000)
    assert TicketNote.objects.get(ticket=ticket, author=agent1).body == NOTES
    page.reload()
    assert page.input_value("#cb-working-notes") == NOTES  # survives a reload
    assert page.inner_text("#cb-notes-status").startswith("Saved ")
    # agent1 goes on to fill the Resolve form, not yet sent.
    page.select_option("#cb-reason-code", "policy-exception")
    page.fill("#cb-notes", "Claim reopened after the expert's visit.")
    assert_no_csp_violation(page)

    # The supervisor sees that the ticket is being worked, and must give a reason.
    boss = second_page()
    log_in(boss, live_server, "supervisor", PASSWORD)
    boss.goto(_ticket_url(live_server, ticket))
    worked = boss.inner_text("#cb-being-worked")
    assert "agent1 holds this ticket since" in worked
    assert "started at" in worked and "with working notes" in worked
    options = boss.locator("#cb-agent option").all_inner_texts()
    assert "agent2 — 0/3 held" in options and not any(o.startswith("agent1") for o in options)
    boss.select_option("#cb-agent", "agent2")
    boss.click("#cb-assign")  # no reason: the browser refuses to send the form
    assert boss.evaluate("document.getElementById('cb-assign-reason').validity.valueMissing")
    assert HandoffTicket.objects.get(pk=ticket.pk).assigned_agent == agent1
    boss.fill("#cb-assign-reason", "agent1 is needed on the phones")
    boss.click("#cb-assign")
    boss.wait_for_selector(".messagelist")
    assert "Ticket assigned to agent2." in boss.inner_text(".messagelist")
    assert "agent1 → agent2" in boss.inner_text("#cb-history")

    # agent1, on the page they had open, presses Resolve: a plain message, nothing typed lost.
    page.click("#cb-resolve")
    page.wait_for_selector(".messagelist")
    message = page.inner_text(".messagelist")
    assert re.search(
        r"This ticket was reassigned to agent2 by supervisor at \d\d:\d\d \(agent1 is needed on the phones\)\. "
        r"Your notes were kept on the ticket for agent2\.",
        message,
    ), message
    assert page.input_value("#cb-unsaved-resolution-text") == "Claim reopened after the expert's visit."
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"

    # agent1 has a notification saying who took the ticket and why.
    notice = AgentNotification.objects.get(agent=agent1, notification_type="reassigned")
    assert "supervisor reassigned your ticket" in notice.message and "agent1 is needed on the phones" in notice.message
    page.goto(f"{live_server.url}/admin/handoff/agentnotification/?is_read__exact=0")
    assert "supervisor reassigned your ticket" in page.inner_text("#result_list")
    assert_no_csp_violation(page)

    # agent2 opens the ticket and reads agent1's notes, with author and time, beside their own editor.
    colleague = second_page(width=1280)
    log_in(colleague, live_server, "agent2", PASSWORD)
    colleague.goto(_ticket_url(live_server, ticket))
    others = colleague.inner_text("#cb-other-notes")
    assert "agent1" in others and "Expert visit booked for Monday 9:00." in others
    assert colleague.input_value("#cb-working-notes") == ""
    history = colleague.inner_text("#cb-history")
    assert "agent1 is needed on the phones" in history
    colleague.locator("#cb-history details summary").first.click()
    assert "Customer sent the garage invoice." in colleague.inner_text("#cb-history")
    colleague.locator("#cb-working-notes").press_sequentially("Called the expert: confirmed.", delay=5)
    expect(colleague.locator("#cb-notes-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"), timeout=10_000)
    assert colleague.evaluate("document.documentElement.scrollWidth") <= 1280
    colleague.screenshot(path=screenshot_dir / "ticket-notes-history.png", full_page=True)
    assert colleague.evaluate("window.__cspViolations") == []
    assert set(TicketNote.objects.filter(ticket=ticket).values_list("author__username", flat=True)) == {
        "agent1",
        "agent2",
    }
