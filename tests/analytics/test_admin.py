"""The admin dashboard (staff only, linked from the index, server-side SVG) and the read-only admins."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import AnalyticsMetric
from tests.accounts.two_factor_factories import force_login
from tests.analytics.factories import ErasureRecordFactory, backdate
from tests.crm.factories import CrmActionFactory
from tests.handoff.factories import HandoffTicketFactory, QueueFactory, UserFactory
from tests.interactions.factories import InteractionFactory

DASHBOARD_URL = "/admin/analytics/dashboard/"


@pytest.fixture
def activity(db):
    InteractionFactory(status="completed")
    CrmActionFactory(action_type="update_address", execution_time_ms=250)
    old = HandoffTicketFactory(queue=QueueFactory(name="claims", target_wait_minutes=5))
    backdate(old, created_at=timezone.now() - datetime.timedelta(minutes=12))


def test_admin_index_links_to_the_dashboard(client, agent):
    client.force_login(agent)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert f'href="{DASHBOARD_URL}"' in response.content.decode()


def test_dashboard_shows_todays_figures_charts_actions_and_queues(
    client, agent, activity, django_assert_max_num_queries
):
    client.force_login(agent)

    with django_assert_max_num_queries(15):
        response = client.get(DASHBOARD_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') == 2  # the two server-side SVG charts
    assert '<rect class="bar"' in page
    assert "update_address" in page and "250 ms" in page
    assert "claims" in page and 'class="late"' in page and "12 min" in page
    assert response.context["figures"]["total"] == 3
    assert 'src="http' not in page and 'href="http' not in page  # no CDN, no external request


def test_dashboard_renders_on_an_empty_database(client, agent):
    client.force_login(agent)

    response = client.get(DASHBOARD_URL)

    assert response.status_code == 200
    assert "No CRM action today." in response.content.decode()
    assert "No resolved interaction in this period." in response.content.decode()


def test_dashboard_is_for_staff_only(client, db):
    customer_facing = UserFactory(username="not-staff")
    client.force_login(customer_facing)

    response = client.get(DASHBOARD_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_dashboard_is_for_agents_and_supervisors_not_any_staff_account(client, agent, supervisor):
    stray_staff = UserFactory(username="intern", is_staff=True)  # staff, but in no console group
    client.force_login(stray_staff)
    assert client.get(DASHBOARD_URL).status_code == 403
    assert f'href="{DASHBOARD_URL}"' not in client.get(reverse("admin:index")).content.decode()
    for person in (agent, supervisor):
        force_login(client, person)  # supervisors pass the second factor too
        assert client.get(DASHBOARD_URL).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    assert client.get(DASHBOARD_URL)["Location"].startswith("/admin/login/")


def test_metrics_and_erasures_are_read_only_in_the_admin(admin_client, db):
    AnalyticsMetric.objects.create(metric_date=timezone.localdate(), metric_type="interactions", metric_value=3)
    record = ErasureRecordFactory()

    assert admin_client.get("/admin/analytics/analyticsmetric/").status_code == 200
    assert admin_client.get("/admin/analytics/erasurerecord/").status_code == 200
    assert admin_client.get("/admin/analytics/analyticsmetric/add/").status_code == 403
    assert admin_client.post(f"/admin/analytics/erasurerecord/{record.pk}/delete/").status_code == 403
