"""An agent works the Approvals queue in a real browser, on the demo data of `make run`."""

import datetime

import pytest
from django.utils import timezone

from callbot_site.demo import load_demo_data
from crm import approvals
from crm.models import ActionProposal
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.handoff.factories import PASSWORD, AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    """The demo's two proposals (an address change, a payment method change), the second one escalated."""
    agent1 = AgentFactory(username="agent1")
    load_demo_data()
    payment = ActionProposal.objects.get(action_type="update_payment_method")
    ActionProposal.objects.filter(pk=payment.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=3))
    assert approvals.escalate_overdue_proposals() == 1
    return agent1, payment


def test_agent_claims_edits_and_approves_a_proposal(page, live_server, demo, screenshot_dir):
    agent1, payment = demo
    log_in(page, live_server, "agent1", PASSWORD)
    page.wait_for_selector("#cb-console-home")
    page.click("#cb-approvals-link")
    page.wait_for_selector("#cb-approvals-board")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert "overdue by 3 min" in rows.nth(0).inner_text() and "escalated" in rows.nth(0).inner_text().lower()
    assert "due in 1" in rows.nth(1).inner_text()  # 14 or 15 minutes left of its SLA
    assert page.inner_text("#cb-escalated-count") == "1"
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "approvals-queue.png", full_page=True)

    page.click("#cb-claim-next-proposal")
    page.wait_for_selector("#cb-proposed")
    assert "You claimed a proposal to update payment method" in page.inner_text(".messagelist")
    assert "Le prélèvement a échoué deux fois." in page.inner_text("#cb-transcript")
    assert page.inner_text("#cb-holder") == "agent1"
    assert "escalated" in page.inner_text("#cb-summary").lower()

    page.fill("#cb-edited-input", '{"method": "sepa_direct_debit", "iban_last4": ')
    page.click("#cb-edit-approve")
    page.wait_for_selector(".messagelist")
    assert "The edited input is not valid JSON" in page.inner_text(".messagelist")
    assert page.input_value("#cb-edited-input") == '{"method": "sepa_direct_debit", "iban_last4": '  # kept
    page.fill("#cb-edited-input", '{"method": "sepa_direct_debit", "iban_last4": "0043"}')
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "approval-proposal.png", full_page=True)

    page.click("#cb-edit-approve")
    page.wait_for_selector("#cb-approved-input")
    assert "Approved with your changes" in page.inner_text(".messagelist")
    assert page.inner_text("#cb-status").lower() == "approved"
    assert "0043" in page.inner_text("#cb-approved-input")
    assert page.locator("#cb-approve").count() == 0
    history = page.inner_text("#cb-history")
    assert "Edited" in history and "Approved" in history and "changed: iban_last4" in history
    stored = ActionProposal.objects.get(pk=payment.pk)
    assert (stored.status, stored.edited, stored.decided_by, stored.approved_input["iban_last4"]) == (
        "approved",
        True,
        agent1,
        "0043",
    )
