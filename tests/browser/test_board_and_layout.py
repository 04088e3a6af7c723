"""In a real browser: the queue page fits 1280 px (and 1440 px) with every column visible, and the supervisor's
board shows each agent's load and each queue's backlog."""

import pytest
from django.utils import timezone

from callbot_site.demo import load_demo_data
from handoff.models import HandoffTicket
from tests.accounts.two_factor_factories import TOTPDeviceFactory
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.handoff.factories import PASSWORD, AgentFactory, AgentProfileFactory, HandoffTicketFactory, SupervisorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COLUMNS = ["ticket", "priority", "queue", "customer", "intent · emotion", "reason", "wait", "due", "status", "held by"]


@pytest.fixture
def floor():
    """The demo data (claims and billing tickets), one of them held, and a supervisor with her TOTP device."""
    agent1 = AgentFactory(username="agent1", first_name="Agathe", last_name="Durand-Lefebvre")
    AgentFactory(username="agent2")
    AgentProfileFactory(user=agent1, max_open_tickets=2)
    supervisor = SupervisorFactory(username="supervisor")
    TOTPDeviceFactory(user=supervisor)
    load_demo_data()
    ticket = HandoffTicket.objects.filter(queue_id="claims").order_by("created_at").first()
    HandoffTicket.objects.filter(pk=ticket.pk).update(
        status="in_progress", assigned_agent=agent1, assigned_at=timezone.now()
    )
    # A long reason and customer name: the columns must wrap, not push the table wider than the window.
    HandoffTicketFactory(
        queue_id="billing",
        reason="Le client conteste le prélèvement mensuel et demande un remboursement intégral " * 3,
    )
    return agent1, supervisor


def _overflow(page) -> dict:
    """The page's width against the window's, and the table's against its own box (the admin lets the results
    scroll sideways inside `.results`, which hides the last columns without any page scroll)."""
    return page.evaluate(
        "() => { const results = document.querySelector('#changelist-form .results');"
        " return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " tableScroll: results.scrollWidth, tableBox: results.clientWidth,"
        " right: Math.max(...[...document.querySelectorAll('#result_list th, #result_list td')]"
        ".map(c => c.getBoundingClientRect().right))}; }"
    )


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_queue_page_fits_the_window_with_every_column(page, live_server, floor, screenshot_dir, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}/admin/handoff/handoffticket/")
    page.wait_for_selector("#result_list")
    headers = [text.strip().lower() for text in page.locator("#result_list thead th").all_inner_texts()]
    assert [h for h in headers if h] == COLUMNS
    measured = _overflow(page)
    assert measured["scroll"] <= measured["inner"], measured  # no horizontal scroll
    assert measured["tableScroll"] <= measured["tableBox"], measured  # no column hidden in the table's own box
    assert measured["right"] <= measured["inner"], measured  # every column inside the window
    for column in ("status", "held by"):
        header = page.locator("#result_list thead th", has_text=column).first
        assert header.is_visible()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= width
    assert "agent1" in page.inner_text("#result_list") or "Agathe" in page.inner_text("#result_list")
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / f"queue-{width}.png", full_page=True)


def test_the_supervisor_board(page, live_server, floor, screenshot_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "supervisor", PASSWORD)
    page.click("#cb-board-link")
    page.wait_for_selector("#cb-board")
    row = page.locator('#cb-board-agents tr[data-agent="agent1"]')
    assert row.locator(".cb-held").inner_text() == "1" and row.locator(".cb-capacity").inner_text() == "2"
    assert "Agathe Durand-Lefebvre" in row.inner_text()
    claims = page.locator('#cb-board-queues tr[data-queue="claims"]')
    assert claims.locator(".cb-waiting").inner_text() == "2"
    measured = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert measured[0] <= measured[1]
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "supervisor-board.png", full_page=True)
    row.locator("a").first.click()
    page.wait_for_selector("#result_list")
    assert page.inner_text("#cb-queue-title") == "Tickets held by Agathe Durand-Lefebvre"
    assert page.locator("#result_list tbody tr").count() == 1


def test_an_agent_meets_the_styled_403_and_a_locked_login_the_lockout_page(page, live_server, floor, screenshot_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "agent1", PASSWORD)
    assert page.locator("#cb-board-link").count() == 0
    response = page.goto(f"{live_server.url}/admin/board/")
    assert response.status == 403
    assert "it is for supervisors" in page.inner_text("#cb-forbidden")
    page.click("text=Back to the console")
    page.wait_for_selector("#cb-console-home")
    assert_no_csp_violation(page)

    page.context.clear_cookies()
    for _ in range(5):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "agent2")
        page.fill("#id_password", "wrong-password")
        page.click("input[type=submit]")
    page.wait_for_selector("#cb-lockout")
    assert page.inner_text("#cb-lockout-remaining") == "1 h"
    assert "ask a supervisor to unlock you" in page.inner_text("#cb-lockout")
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "lockout.png", full_page=True)
