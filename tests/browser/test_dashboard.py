"""A supervisor opens the analytics dashboard from the admin index, on the demo data plus two weeks of history."""

import datetime
import random

import pytest
from django.utils import timezone

from analytics.services import compute_daily_metrics
from callbot_site.demo import load_demo_data
from tests.accounts.two_factor_factories import TOTPDeviceFactory
from tests.analytics.factories import at_local, backdate
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.handoff.factories import PASSWORD, SupervisorFactory
from tests.interactions.factories import InteractionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history():
    """The demo of `make run`, and 14 past days of interactions with their stored metrics."""
    load_demo_data()
    rng = random.Random(6)
    today = timezone.localdate()
    for days_ago in range(1, 15):
        day = today - datetime.timedelta(days=days_ago)
        for _ in range(rng.randint(4, 12)):
            status = rng.choice(["completed", "completed", "completed", "failed"])
            interaction = InteractionFactory(status=status, channel=rng.choice(["phone", "chat", "email"]))
            backdate(
                interaction, created_at=at_local(day, rng.randint(8, 18)), resolution_time_seconds=rng.randint(60, 600)
            )
        compute_daily_metrics(day=day)
    supervisor = SupervisorFactory(username="supervisor")
    TOTPDeviceFactory(user=supervisor)  # supervisors sign in with a TOTP code
    return supervisor


def test_supervisor_reads_the_dashboard(page, live_server, history, screenshot_dir):
    log_in(page, live_server, "supervisor", PASSWORD)  # password, then the TOTP code
    page.goto(f"{live_server.url}/admin/")
    page.click("a[href='/admin/analytics/dashboard/']")
    page.wait_for_selector("#analytics-dashboard")

    figures = page.inner_text("#analytics-dashboard .figures")
    assert "interactions" in figures and "tickets waiting" in figures
    assert page.locator("svg[role=img]").count() == 2
    assert page.locator("svg rect.bar").count() == 30
    assert "claims" in page.inner_text("#queues-title + table")
    assert "check_policy_status" in page.inner_text("#crm-title + table")
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)
