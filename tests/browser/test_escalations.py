"""A supervisor asks the dashboard why bots escalated in a week, downloads a table, and mistypes a date."""

import pytest

from tests.accounts.two_factor_factories import TOTPDeviceFactory
from tests.analytics.test_escalations_data import DAY, LAST_DAY, build_escalation_world
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.handoff.factories import PASSWORD, SupervisorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supervisor_with_history():
    build_escalation_world()
    supervisor = SupervisorFactory(username="supervisor")
    TOTPDeviceFactory(user=supervisor)  # supervisors sign in with a TOTP code
    return supervisor


def test_supervisor_reads_why_bots_escalate(page, live_server, supervisor_with_history, screenshot_dir):
    log_in(page, live_server, "supervisor", PASSWORD)  # password, then the TOTP code
    page.goto(f"{live_server.url}/admin/analytics/dashboard/")
    page.fill("#id_date_from", DAY.isoformat())
    page.fill("#id_date_to", LAST_DAY.isoformat())
    page.click("#escalation-range input[type=submit]")
    page.wait_for_selector("#escalation-reasons")

    assert "date_from=2026-03-09" in page.url and "date_to=2026-03-15" in page.url
    assert "Why bots escalate: 9 Mar 2026 – 15 Mar 2026" in page.inner_text("#escalations-title")
    section = page.locator("#escalation-analytics")
    assert section.locator("svg.chart").count() == 3
    assert section.locator("svg.chart rect.seg").count() == 3  # intent × reason segments
    assert section.locator("svg.chart line.median").count() == 2  # one median per group
    reasons = page.inner_text("#escalation-reasons")
    assert "The bot misunderstood the intent" in reasons and "Not resolved yet" in reasons
    assert "9.4 min" in page.inner_text("#escalation-touch")
    assert "50%" in page.inner_text("#escalation-crm")
    assert "67%" in page.inner_text("#escalation-approvals")
    assert_no_csp_violation(page)
    section.screenshot(path=screenshot_dir / "escalation-analytics.png")

    with page.expect_download() as download_info:
        page.click("#escalation-reasons-title a.csv")
    download = download_info.value
    assert download.suggested_filename == "escalations-by-reason-2026-03-09-2026-03-15.csv"
    with open(download.path(), encoding="utf-8") as csv_file:
        assert csv_file.readline().strip() == "intent,reason_code,reason_label,escalations"

    page.goto(f"{live_server.url}/admin/analytics/dashboard/?date_from=2026-03-20&date_to=2026-03-01")
    errors = page.inner_text("#escalation-range-errors")
    assert "2026-03-20 is after 2026-03-01; allowed: a first day on or before the last." in errors
    assert page.locator("#escalation-reasons").count() == 0
