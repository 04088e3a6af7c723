"""Admin of the webhooks: supervisors see the delivery log, filter it, replay deliveries and rotate secrets."""

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from tests.accounts.two_factor_factories import force_login
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory, secret_of
from webhooks.models import DeliveryStatus

pytestmark = pytest.mark.django_db
DELIVERIES = "/admin/webhooks/webhookdelivery/"
ENDPOINTS = "/admin/webhooks/webhookendpoint/"


def _queued_for(delivery) -> int:
    return ProcrastinateJob.objects.filter(
        task_name="webhooks.deliver", args={"delivery_id": delivery.pk}, status="todo"
    ).count()


def test_supervisors_see_the_log_with_errors_and_filter_it(client, supervisor, django_assert_max_num_queries):
    failed = WebhookDeliveryFactory(
        status=DeliveryStatus.FAILED, attempts=11, last_status_code=503, last_error="HTTP 503"
    )
    WebhookDeliveryFactory.create_batch(4, status=DeliveryStatus.DELIVERED, last_status_code=200)
    force_login(client, supervisor)
    with django_assert_max_num_queries(14):
        page = client.get(DELIVERIES)
    assert page.status_code == 200
    html = page.content.decode()
    assert "HTTP 503" in html and str(failed.event_id) in html
    only_failed = client.get(DELIVERIES, {"status__exact": "failed"})
    assert only_failed.context["cl"].result_count == 1
    by_type = client.get(DELIVERIES, {"event__type__exact": "ticket.resolved"})
    assert by_type.context["cl"].result_count == 5
    by_endpoint = client.get(DELIVERIES, {"endpoint__id__exact": str(failed.endpoint_id)})
    assert list(by_endpoint.context["cl"].result_list) == [failed]
    assert client.get(DELIVERIES, {"last_error__regex": "["}).status_code == 400  # undeclared lookups refused
    assert client.get(f"/admin/webhooks/webhookevent/{failed.event_id}/change/").status_code == 200


def test_replay_queues_the_deliveries_again(client, supervisor):
    failed = WebhookDeliveryFactory(status=DeliveryStatus.FAILED, attempts=11, last_error="HTTP 500")
    delivered = WebhookDeliveryFactory(status=DeliveryStatus.DELIVERED)
    untouched = WebhookDeliveryFactory(status=DeliveryStatus.FAILED)
    force_login(client, supervisor)
    response = client.post(DELIVERIES, {"action": "replay", "_selected_action": [failed.pk, delivered.pk]})
    assert response.status_code == 302
    for delivery in (failed, delivered):
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING and delivery.delivered_at is None
        assert _queued_for(delivery) == 1
    untouched.refresh_from_db()
    assert untouched.status == DeliveryStatus.FAILED and _queued_for(untouched) == 0
    # Replaying one that is still waiting for its job queues nothing twice.
    client.post(DELIVERIES, {"action": "replay", "_selected_action": [failed.pk]})
    assert _queued_for(failed) == 1


def test_rotation_from_the_admin_shows_the_new_secret_once(client, supervisor):
    endpoint = WebhookEndpointFactory()
    old = secret_of(endpoint)
    force_login(client, supervisor)
    response = client.post(ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    new = secret_of(endpoint)
    html = response.content.decode()
    assert response.status_code == 200 and new != old
    assert new in html and old not in html
    assert "no-cache" in response["Cache-Control"]
    assert endpoint.previous_secret_expires_at is not None


@pytest.mark.parametrize("url", [DELIVERIES, ENDPOINTS, "/admin/webhooks/webhookevent/"])
def test_agents_see_nothing_of_it(client, agent, url):
    delivery = WebhookDeliveryFactory(status=DeliveryStatus.FAILED)
    force_login(client, agent)
    assert client.get(url).status_code == 403
    client.post(DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
