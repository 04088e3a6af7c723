"""The dashboard's "Why bots escalate" section and its CSV downloads, through the Django test client."""

import datetime

import pytest
from django.utils import timezone

from tests.accounts.two_factor_factories import force_login
from tests.analytics.test_escalations_data import DAY, LAST_DAY, build_escalation_world
from tests.handoff.factories import HandoffTicketFactory, UserFactory
from tests.interactions.factories import InteractionFactory

DASHBOARD_URL = "/admin/analytics/dashboard/"
CSV_URL = "/admin/analytics/dashboard/escalations/{}.csv"
WEEK = {"date_from": DAY.isoformat(), "date_to": LAST_DAY.isoformat()}
WEEK_QUERY = "date_from=2026-03-09&amp;date_to=2026-03-15"

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation_world():
    build_escalation_world()


def test_supervisor_reads_why_bots_escalate_over_a_week(client, supervisor, escalation_world):
    force_login(client, supervisor)

    response = client.get(DASHBOARD_URL, WEEK)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Why bots escalate: 9 Mar 2026 – 15 Mar 2026" in page
    assert 'value="2026-03-09"' in page and 'value="2026-03-15"' in page  # the form shows the range
    section = response.context["escalations"]
    assert section["total"] == 4
    assert [
        (row["intent_label"], row["reason_code"], row["escalations"]) for row in section["by_intent_and_reason"]
    ] == [
        ("billing", "crm-action-failed", 1),
        ("claim", "wrong-intent", 2),
        ("claim", "open", 1),
    ]
    assert page.count('<svg class="chart"') == 3  # reasons, confidence, first touch
    assert page.count('class="seg seg-') == 3  # claim: wrong-intent + open; billing: crm-action-failed
    assert "The bot misunderstood the intent (wrong-intent)" in page  # the chart's legend
    assert "50%" in page and "after a failed CRM action (2)" in page
    assert "0.55" in page and "0.95" in page  # median confidence of each group
    assert "9.4 min" in page and "30.0 min" in page  # p90 of claims, billing
    assert "67%" in page and "20.0 min" in page  # update_address: approval rate, median decision
    for table in ("by-reason", "confidence", "first-touch", "crm-failures", "approvals"):
        assert f'href="{CSV_URL.format(table)}?{WEEK_QUERY}"' in page
    assert 'src="http' not in page and 'href="http' not in page  # no CDN, no external request


def test_the_section_adds_one_query_to_the_dashboard(client, agent, escalation_world, django_assert_max_num_queries):
    client.force_login(agent)

    with django_assert_max_num_queries(15):  # the dashboard's budget (tests/analytics/test_admin.py)
        response = client.get(DASHBOARD_URL, WEEK)

    assert response.context["escalations"]["crm_failures"]["escalations"] == 4


def test_without_dates_the_section_covers_the_last_seven_days(client, agent):
    HandoffTicketFactory(interaction=InteractionFactory(intent="billing", status="in_progress"))
    client.force_login(agent)
    today = timezone.localdate()

    response = client.get(DASHBOARD_URL)

    section = response.context["escalations"]
    assert (section["date_from"], section["date_to"]) == (today - datetime.timedelta(days=6), today)
    assert [row["reason_code"] for row in section["by_intent_and_reason"]] == ["open"]
    assert f'value="{today.isoformat()}"' in response.content.decode()


def test_a_quiet_range_says_so(client, agent):
    client.force_login(agent)

    page = client.get(DASHBOARD_URL, {"date_from": "2021-01-01", "date_to": "2021-01-07"}).content.decode()

    assert "No escalation in this range." in page and "No ticket in this range." in page
    assert "No proposal in this range." in page
    assert page.count('<svg class="chart"') == 1  # only the confidence chart, empty


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-02-30"}, "From: Not a date; allowed: a day as YYYY-MM-DD from 2000-01-01 to 2099-12-31."),
        ({"date_to": "next week"}, "To: Not a date; allowed: a day as YYYY-MM-DD from 2000-01-01 to 2099-12-31."),
        ({"date_from": "1999-12-31"}, "From: 1999-12-31 is out of range; allowed: 2000-01-01 to 2099-12-31."),
        (
            {"date_from": "2026-03-10", "date_to": "2026-03-01"},
            "From: 2026-03-10 is after 2026-03-01; allowed: a first day on or before the last.",
        ),
        ({"date_from": "2024-01-01", "date_to": "2025-01-01"}, "To: The range may cover at most 366 days."),
    ],
)
def test_bad_dates_are_refused_on_the_form_not_with_a_500(client, agent, params, message):
    client.force_login(agent)

    response = client.get(DASHBOARD_URL, params)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"<li>{message}</li>" in page
    assert response.context["escalations"] is None
    assert 'id="escalation-reasons"' not in page  # no figures for a range that was not understood
    assert response.context["figures"]["total"] == 0  # the rest of the dashboard is still there


def test_text_typed_in_the_form_comes_back_escaped(client, agent):
    client.force_login(agent)

    page = client.get(DASHBOARD_URL, {"date_from": "<script>alert(1)</script>"}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def _csv(client, table: str, params=WEEK):
    response = client.get(CSV_URL.format(table), params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response


def test_csv_of_escalations_by_intent_and_reason(client, supervisor, escalation_world):
    force_login(client, supervisor)

    response = _csv(client, "by-reason")

    assert response["Content-Disposition"] == 'attachment; filename="escalations-by-reason-2026-03-09-2026-03-15.csv"'
    assert response.content.decode() == (
        "intent,reason_code,reason_label,escalations\r\n"
        "billing,crm-action-failed,A CRM action failed,1\r\n"
        "claim,wrong-intent,The bot misunderstood the intent,2\r\n"
        "claim,open,Not resolved yet,1\r\n"
    )


def test_csv_of_confidence_first_touch_and_crm_failures(client, agent, escalation_world):
    client.force_login(agent)

    confidence = _csv(client, "confidence").content.decode().splitlines()
    touch = _csv(client, "first-touch").content.decode().splitlines()
    crm = _csv(client, "crm-failures").content.decode().splitlines()

    assert confidence == [
        "group,interactions,scored,average,median,0.0-0.1,0.1-0.2,0.2-0.3,0.3-0.4,0.4-0.5,0.5-0.6,0.6-0.7,"
        "0.7-0.8,0.8-0.9,0.9-1.0",
        "escalated,4,3,0.5233,0.55,0,0,0,0,1,1,1,0,0,0",
        "completed,3,3,0.95,0.95,0,0,0,0,0,0,0,0,0,3",
    ]
    assert touch == [
        "queue,tickets,touched,untouched,avg_minutes,p50_minutes,p90_minutes",
        "billing,1,1,0,30,30,30",
        "claims,3,2,1,7,7,9.4",
        "general,1,0,1,,,",
    ]
    assert crm == ["escalations,with_failed_crm_action,share", "4,2,0.5"]


def test_csv_of_approval_rates(client, agent, escalation_world):
    client.force_login(agent)

    assert _csv(client, "approvals").content.decode().splitlines() == [
        "action_type,proposals,pending,approved,approved_edited,rejected,approval_rate,edited_share,"
        "median_decision_minutes",
        "update_address,4,1,2,1,1,0.6667,0.5,20",
        "check_policy_status,1,0,0,0,1,0,,5",
    ]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(client, agent):
    HandoffTicketFactory(interaction=InteractionFactory(intent='=HYPERLINK("http://x","y")', status="in_progress"))
    client.force_login(agent)

    lines = _csv(client, "by-reason", {}).content.decode().splitlines()

    assert lines[1] == '"\'=HYPERLINK(""http://x"",""y"")",open,Not resolved yet,1'


def test_csv_without_dates_covers_the_last_seven_days(client, agent):
    client.force_login(agent)
    today = timezone.localdate()

    response = _csv(client, "first-touch", {})

    first = (today - datetime.timedelta(days=6)).isoformat()
    assert f'filename="escalations-first-touch-{first}-{today.isoformat()}.csv"' in response["Content-Disposition"]
    assert response.content.decode() == "queue,tickets,touched,untouched,avg_minutes,p50_minutes,p90_minutes\r\n"


def test_csv_with_bad_dates_is_a_400_saying_what_is_allowed(client, agent):
    client.force_login(agent)

    response = client.get(CSV_URL.format("by-reason"), {"date_from": "2026-13-01"})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "date_from: Not a date; allowed: a day as YYYY-MM-DD from 2000-01-01 to 2099-12-31."
    )


def test_an_unknown_csv_table_is_a_404(client, agent):
    client.force_login(agent)

    assert client.get(CSV_URL.format("salaries"), WEEK).status_code == 404


def test_csv_is_for_the_dashboards_readers_only(client, agent, supervisor):
    assert client.get(CSV_URL.format("by-reason"))["Location"].startswith("/admin/login/")  # anonymous
    client.force_login(UserFactory(username="intern", is_staff=True))  # staff in no console group
    assert client.get(CSV_URL.format("by-reason")).status_code == 403
    client.force_login(UserFactory(username="customer-facing"))  # not staff
    assert client.get(CSV_URL.format("by-reason"))["Location"].startswith("/admin/login/")
    for person in (agent, supervisor):
        force_login(client, person)
        assert client.get(CSV_URL.format("by-reason")).status_code == 200
