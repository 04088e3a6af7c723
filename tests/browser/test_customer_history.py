"""In a real browser: find a ticket as an agent would type it, then read the customer's history on its page."""

import pytest

from callbot_site.demo import load_demo_data
from handoff.models import HandoffTicket
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.handoff.factories import PASSWORD, AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_then_customer_history_on_the_ticket_page(page, live_server, screenshot_dir):
    AgentFactory(username="agent1")
    load_demo_data()  # Camille Martin (CUST-001): an address change the bot handled, then a claim follow-up ticket
    ticket = HandoffTicket.objects.get(customer_id="CUST-001")
    log_in(page, live_server, "agent1", PASSWORD)

    page.goto(f"{live_server.url}/admin/handoff/handoffticket/")
    page.fill("#searchbar", "camille")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#cb-search-notice")
    assert "Searching all statuses" in page.inner_text("#cb-search-notice")
    assert page.locator("#result_list tbody tr").count() == 1

    page.fill("#searchbar", f"#{str(ticket.pk)[:8].upper()}")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#cb-search-notice")
    page.click(f"#result_list a:has-text('#{str(ticket.pk)[:8]}')")

    history = page.locator("#cb-customer-history")
    history.wait_for()
    assert "Earlier contacts of CUST-001" in history.inner_text()
    rows = history.locator("tbody tr")
    assert rows.count() == 1 and "update_address" in rows.first.inner_text()
    assert "handled by the bot" in rows.first.inner_text()
    assert_no_csp_violation(page)
    history.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "ticket-customer-history.png", full_page=True)

    rows.first.locator("a").first.click()  # the contact's own page (interaction admin)
    page.wait_for_load_state()
    assert "/admin/interactions/interaction/" in page.url and page.locator("#content").count() == 1


def test_customer_page_shows_contacts_and_contact_links(page, live_server, screenshot_dir):
    AgentFactory(username="agent1")
    load_demo_data()
    log_in(page, live_server, "agent1", PASSWORD)
    page.goto(f"{live_server.url}/admin/crm/customer/CUST-001/change/")
    history = page.locator("#cb-customer-history")
    history.wait_for()
    assert history.locator("tbody tr").count() == 2  # the address change, then the claim follow-up (newest first)
    assert "claim_status" in history.locator("tbody tr").first.inner_text()
    assert page.get_attribute("a.cb-tel", "href") == "tel:+33612345601"
    assert page.get_attribute("a.cb-mailto", "href") == "mailto:camille.martin@example.org"
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "customer-page-history.png", full_page=True)
