"""The outbox and the signing, in-process: events commit with the change, signatures verify, rotation."""

import json

import pytest
from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from berinia_sync.services import ledger
from handoff import services as handoff_services
from tests.berinia_sync.factories import ExportRunFactory
from tests.handoff.factories import AgentFactory, HandoffTicketFactory
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory, secret_of
from tests.webhooks.receiver import signature_valid
from webhooks import delivery, services
from webhooks.errors import DeliveryFailed
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def _resolve(ticket, agent):
    return handoff_services.resolve_ticket(
        ticket_id=ticket.pk, actor=agent, resolution_notes="Refunded.", reason_code="other"
    )


def _held_ticket():
    agent = AgentFactory()
    return HandoffTicketFactory(status="assigned", assigned_agent=agent, assigned_at=timezone.now()), agent


def test_the_change_writes_event_delivery_and_job_in_its_transaction():
    endpoint = WebhookEndpointFactory(events=["ticket.resolved"])
    WebhookEndpointFactory(events=["ticket.resolved"], is_active=False)
    ticket, agent = _held_ticket()
    _resolve(ticket, agent)
    event = WebhookEvent.objects.get()
    assert event.type == "ticket.resolved" and event.payload["ticket_id"] == str(ticket.pk)
    [row] = WebhookDelivery.objects.all()
    assert row.endpoint == endpoint and row.status == DeliveryStatus.PENDING and row.attempts == 0
    job = ProcrastinateJob.objects.get(task_name="webhooks.deliver")
    assert job.args == {"delivery_id": row.pk} and job.queue_name == "webhooks"


def test_a_rolled_back_change_leaves_no_event_and_no_job():
    WebhookEndpointFactory()
    ticket, agent = _held_ticket()
    with pytest.raises(RuntimeError), transaction.atomic():
        _resolve(ticket, agent)
        assert WebhookEvent.objects.count() == 2
        raise RuntimeError("the caller's transaction fails after the resolution")
    assert WebhookEvent.objects.count() == WebhookDelivery.objects.count() == 0
    assert not ProcrastinateJob.objects.filter(task_name="webhooks.deliver").exists()
    ticket.refresh_from_db()
    assert ticket.status == "assigned"


def test_without_endpoints_nothing_is_written():
    ticket, agent = _held_ticket()
    _resolve(ticket, agent)
    assert WebhookEvent.objects.count() == 0


def test_the_body_and_headers_of_an_attempt(receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    row = WebhookDeliveryFactory(endpoint=endpoint)
    delivery.attempt_delivery(delivery_id=row.pk, final=False)
    [request] = receiver.requests()
    assert request.headers["X-Callbot-Event"] == "ticket.resolved"
    assert request.headers["X-Callbot-Event-Id"] == str(row.event_id)
    assert request.headers["X-Callbot-Signature"].startswith("v1=")
    assert abs(int(request.headers["X-Callbot-Timestamp"]) - timezone.now().timestamp()) < 60
    assert json.loads(request.body) == {
        "id": str(row.event_id),
        "type": "ticket.resolved",
        "created_at": row.event.created_at.isoformat(),
        "data": {"ticket_id": "t-1", "status": "resolved"},
    }
    assert signature_valid(secret_of(endpoint), request)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED and row.attempts == 1 and row.delivered_at is not None


def test_during_the_grace_period_both_secrets_sign_and_after_it_only_the_new(receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    old = secret_of(endpoint)
    endpoint, new = services.rotate_secret(endpoint_id=endpoint.pk)
    first = WebhookDeliveryFactory(endpoint=endpoint)
    delivery.attempt_delivery(delivery_id=first.pk, final=False)
    [during] = receiver.requests()
    assert during.headers["X-Callbot-Signature"].count("v1=") == 2
    assert signature_valid(new, during) and signature_valid(old, during)

    endpoint.previous_secret_expires_at = timezone.now()
    endpoint.save(update_fields=["previous_secret_expires_at"])
    second = WebhookDeliveryFactory(endpoint=endpoint)
    delivery.attempt_delivery(delivery_id=second.pk, final=False)
    after = receiver.requests()[1]
    assert after.headers["X-Callbot-Signature"].count("v1=") == 1
    assert signature_valid(new, after) and not signature_valid(old, after)


def test_a_redirect_is_not_followed_and_its_error_is_kept(receiver):
    receiver.status = 302
    row = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=receiver.url))
    with pytest.raises(DeliveryFailed):
        delivery.attempt_delivery(delivery_id=row.pk, final=False, retry_at=timezone.now())
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING and row.last_status_code == 302
    assert row.last_error == "HTTP 302: redirects are not followed; register the final URL."
    delivery.attempt_delivery(delivery_id=row.pk, final=True)  # the last attempt: failed, nothing raised
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 2 and receiver.refused == 2


def test_a_deactivated_endpoint_fails_its_pending_deliveries_without_a_request(receiver):
    row = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=receiver.url, is_active=False))
    delivery.attempt_delivery(delivery_id=row.pk, final=False)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.last_error == "The endpoint is deactivated."
    assert receiver.requests() == [] and receiver.refused == 0


def test_only_bots_have_endpoints():
    with pytest.raises(Exception, match="Only bot clients"):
        services.create_endpoint(client=AgentFactory(), url="https://x.example.org/", events=["ticket.resolved"])


def test_a_finished_export_becomes_an_export_finished_event(django_capture_on_commit_callbacks):
    endpoint = WebhookEndpointFactory(events=["export.finished"])
    run = ExportRunFactory(status="running", lease="lease-1", received=3, inserted=2, rejected=1)
    with django_capture_on_commit_callbacks(execute=True):
        ledger.finish_run(run)
    event = WebhookEvent.objects.get()
    assert event.type == "export.finished"
    assert event.payload | {"started_at": None, "finished_at": None} == {
        "run_id": run.pk,
        "status": "finished",
        "dry_run": False,
        "started_at": None,
        "finished_at": None,
        "received": 3,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "merged": 0,
        "rejected": 1,
    }
    assert event.payload["finished_at"]
    assert WebhookDelivery.objects.get().endpoint == endpoint


@pytest.mark.parametrize(
    ("url", "why"),
    [
        # A name that DNS points inside our network: refused at delivery, not only literal addresses at registration.
        ("https://localhost:9/hook", "localhost resolves to an internal address (127.0.0.1"),
        ("https://no-such-host.invalid/hook", "no-such-host.invalid does not resolve"),
    ],
)
def test_the_worker_never_connects_inside_our_network(settings, url, why):
    settings.WEBHOOKS_ALLOW_INSECURE_LOCALHOST = False  # production
    row = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=url))

    with pytest.raises(DeliveryFailed):
        delivery.attempt_delivery(delivery_id=row.pk, final=False, retry_at=timezone.now())

    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING and row.last_status_code is None
    assert row.last_error.startswith(why)  # refused before any connection: no status code, this reason
