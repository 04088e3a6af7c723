"""Live console in real Chromium: two agents watch the queue while a bot hands off an urgent call through the API."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts.services import issue_api_token
from handoff import services
from handoff.models import HandoffTicket
from tests.api.factories import BotFactory
from tests.browser.helpers import assert_no_csp_violation, keep_csp_message, log_in
from tests.handoff.factories import (
    PASSWORD,
    AgentFactory,
    AgentNotificationFactory,
    HandoffTicketFactory,
    QueueFactory,
    SupervisorFactory,
)
from tests.interactions.factories import InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 5000  # the issue's promise: what changed shows within 5 s, without a reload
QUEUE_PATH = "/admin/handoff/handoffticket/"
CSP_WATCH = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', (e) =>"
    " window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`));"
)


@pytest.fixture
def second_page(browser):
    """Agent 2's own browser (own cookies), watched for CSP violations like `page`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: keep_csp_message(violations, message.text))
    yield page
    context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def _bot_hands_off(base_url: str, token: str) -> str:
    """POST /api/v1/turns/ as a bot would: a customer asks for a human, urgently. Returns the ticket id."""
    body = {
        "interaction": {"customer_id": "CUST-LIVE-1", "channel": "phone", "intent": "claim_dispute"},
        "message": {"message": "Je veux parler à quelqu'un, c'est urgent"},
        "handoff": {
            "reason": "Customer asks for a human about a refused claim",
            "priority": "high",
            "queue_name": "claims",
        },
    }
    request = urllib.request.Request(
        f"{base_url}/api/v1/turns/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())["ticket_id"]


def _row(page, ticket_id: str):
    return page.locator("#result_list tbody tr", has_text=f"#{ticket_id[:8]}")


def test_two_agents_see_an_urgent_ticket_arrive_and_be_taken(page, second_page, live_server, screenshot_dir):
    agent1, _agent2 = AgentFactory(username="agent1"), AgentFactory(username="agent2")
    supervisor = SupervisorFactory(username="supervisor")
    QueueFactory(name="claims")
    waiting = HandoffTicketFactory(queue=QueueFactory(name="claims"))  # already there, no notification
    token = issue_api_token(user=BotFactory(username="callbot"))
    page.set_viewport_size({"width": 1280, "height": 900})
    for browser_page, username in ((page, "agent1"), (second_page, "agent2")):
        log_in(browser_page, live_server, username, PASSWORD)
        browser_page.goto(f"{live_server.url}{QUEUE_PATH}")
        expect(_row(browser_page, str(waiting.pk))).to_be_visible()
        expect(browser_page.locator("#cb-unread")).to_have_text("Notifications: 0")

    # Agent 2 has ticked the waiting ticket for an action: a refresh of the list must keep it ticked.
    _row(second_page, str(waiting.pk)).locator("input.action-select").check()

    ticket_id = _bot_hands_off(live_server.url, token)

    for browser_page in (page, second_page):  # no reload: the poll swaps the list in place
        row = _row(browser_page, ticket_id)
        expect(row).to_be_visible(timeout=LIVE_MS)
        expect(row).to_have_class(re.compile(r"\bcb-live-new\b"))  # highlighted as new
        expect(row).to_contain_text("High")
        expect(browser_page.locator("#cb-unread")).to_have_text("Notifications: 1", timeout=LIVE_MS)
        expect(browser_page).to_have_title(re.compile(r"^\(1\) "))
        expect(_row(browser_page, str(waiting.pk))).to_be_visible()
    # Nothing reloaded the page: a marker set by the test on agent 2's page is still there.
    second_page.evaluate("window.__stillThisPage = true")
    expect(_row(second_page, str(waiting.pk)).locator("input.action-select")).to_be_checked()
    expect(second_page.locator("span.action-counter")).to_have_text("1 of 2 selected")

    page.click("#cb-claim-next")  # agent 1 takes it (the high ticket ranks first)
    page.wait_for_selector("#cb-summary")
    ticket = HandoffTicket.objects.get(pk=ticket_id)
    assert (ticket.status, ticket.assigned_agent) == ("assigned", agent1)

    taken = _row(second_page, ticket_id)
    expect(taken).to_contain_text("agent1", timeout=LIVE_MS)  # agent 2 sees who took it
    expect(taken).to_contain_text("Assigned")
    assert second_page.evaluate("window.__stillThisPage") is True
    expect(second_page.locator("#cb-held")).to_have_text("My tickets (0)")
    assert_no_csp_violation(second_page)
    second_page.screenshot(path=screenshot_dir / "queue-live-1280.png", full_page=True)

    # Agent 1, on the ticket page, types; a supervisor gives the ticket to agent 2 meanwhile.
    expect(page.locator("#cb-held")).to_have_text("My tickets (1)", timeout=LIVE_MS)
    notes = page.locator("#cb-notes")
    notes.fill("Called the customer back; waiting for the photos.")
    services.assign_ticket_to_agent(
        ticket_id=ticket_id, agent="agent2", actor=supervisor, reason="agent1 leaves at noon"
    )
    banner = page.locator("#cb-live-banner")
    expect(banner).to_be_visible(timeout=LIVE_MS)
    expect(banner).to_contain_text("Reassigned to agent2 by supervisor: “agent1 leaves at noon”")
    expect(page.locator("#cb-live-reload")).to_be_visible()
    assert notes.input_value() == "Called the customer back; waiting for the photos."  # nothing lost
    assert_no_csp_violation(page)


def test_alert_controls_ask_nothing_before_a_click(page, live_server):
    AgentFactory(username="agent1")
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}{QUEUE_PATH}")
    sound = page.locator("#cb-sound-toggle")
    expect(sound).to_have_text("Sound: off")
    sound.click()
    expect(sound).to_have_text("Sound: on")
    page.reload()
    expect(page.locator("#cb-sound-toggle")).to_have_text("Sound: on")  # kept in localStorage
    assert page.evaluate("Notification.permission") == "default"  # never asked without a click
    expect(page.locator("#cb-enable-alerts")).to_be_visible()


def test_the_inbox_lists_a_new_notification_without_a_reload(page, live_server):
    agent = AgentFactory(username="agent1")
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}/admin/handoff/agentnotification/")
    expect(page.locator("#cb-unread")).to_have_text("Notifications: 0")
    AgentNotificationFactory(agent=agent, message="supervisor assigned you a medium ticket in claims.")
    expect(page.locator("#result_list tbody tr")).to_have_count(1, timeout=LIVE_MS)
    expect(page.locator("#result_list tbody tr")).to_contain_text("assigned you a medium ticket")
    expect(page.locator("#cb-unread")).to_have_text("Notifications: 1")
    expect(page).to_have_title(re.compile(r"^\(1\) "))


# The browser's Notification and AudioContext, recorded: what an agent would see and hear.
ALERT_RECORDER = """
window.__alerts = [];
window.__beeps = 0;
class RecordedNotification {
  constructor(title, options) {
    window.__alerts.push({ title: title, body: options.body });
    document.documentElement.dataset.alerts = String(window.__alerts.length);  // for expect(), CSP forbids eval
  }
}
RecordedNotification.permission = "granted";
RecordedNotification.requestPermission = () => Promise.resolve("granted");
window.Notification = RecordedNotification;
const RealAudioContext = window.AudioContext;
window.AudioContext = class extends RealAudioContext {
  createOscillator() { window.__beeps += 1; return super.createOscillator(); }
};
window.localStorage.setItem("cb-live-sound", "on");
"""


def test_an_urgent_ticket_raises_one_desktop_alert_and_a_beep(page, live_server):
    AgentFactory(username="agent1")
    QueueFactory(name="claims")
    page.add_init_script(ALERT_RECORDER)
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}{QUEUE_PATH}")
    expect(page.locator("#cb-sound-toggle")).to_have_text("Sound: on")
    services.create_handoff_ticket(
        interaction_id=InteractionFactory().pk,
        reason="Mme Petit, policy POL-1, refused claim",
        priority="high",
        queue_name="claims",
    )
    expect(page.locator("html")).to_have_attribute("data-alerts", "1", timeout=LIVE_MS)
    alerts = page.evaluate("window.__alerts")
    assert alerts == [{"title": "Urgent ticket", "body": "Urgent: new high ticket in claims"}]  # no customer words
    assert page.evaluate("window.__beeps") >= 1
    # Another page of the same person does not alert again for the same notification.
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#cb-unread")).to_have_text("Notifications: 1")
    services.create_handoff_ticket(
        interaction_id=InteractionFactory().pk, reason="Second caller", priority="low", queue_name="claims"
    )
    expect(page.locator("#cb-unread")).to_have_text("Notifications: 2", timeout=LIVE_MS)  # polled since
    assert page.evaluate("window.__alerts") == []  # a new page: nothing re-alerted, low tickets stay quiet
