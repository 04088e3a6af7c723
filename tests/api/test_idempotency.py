"""Idempotency-Key on every POST to an API view (idempotency.middleware)."""

import datetime
import threading

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handoff.models import HandoffTicket
from idempotency.models import IdempotencyKey
from idempotency.services import purge_expired_keys
from interactions.models import ConversationMessage, Interaction
from tests.api.conftest import token_client
from tests.api.factories import BotFactory, IdempotencyKeyFactory
from tests.handoff.factories import HandoffTicketFactory

URL = "/api/v1/interactions/"
BODY = {"customer_id": "C-1", "channel": "phone", "intent": "claim_status"}


def _post(client, body, key, url=URL):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_response_and_writes_nothing(bot_client):
    first = _post(bot_client, BODY, "k-1")
    again = _post(bot_client, {"intent": "claim_status", "channel": "phone", "customer_id": "C-1"}, "k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Interaction.objects.count() == 1
    assert IdempotencyKey.objects.get(key="k-1").response_status == 201


@pytest.mark.django_db
def test_same_key_with_another_body_or_endpoint_is_422(bot_client):
    first = _post(bot_client, BODY, "k-2")
    other_body = _post(bot_client, {**BODY, "customer_id": "C-2"}, "k-2")
    interaction_id = first.json()["interaction_id"]
    other_endpoint = _post(bot_client, {"response_text": "x"}, "k-2", url=f"{URL}{interaction_id}/responses/")
    for response in (other_body, other_endpoint):
        assert response.status_code == 422
        assert response.json()["type"] == "idempotency_key_reused"
        assert "Idempotency-Key" in response.json()["errors"]
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_keys_expire_after_24_hours(bot_client):
    _post(bot_client, BODY, "k-3")
    IdempotencyKey.objects.filter(key="k-3").update(created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1))
    later = _post(bot_client, {**BODY, "customer_id": "C-9"}, "k-3")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert Interaction.objects.count() == 2
    assert IdempotencyKey.objects.get(key="k-3").created_at > timezone.now() - datetime.timedelta(minutes=1)


@pytest.mark.django_db
def test_an_error_response_is_not_stored_so_a_corrected_retry_runs(bot_client):
    refused = _post(bot_client, {**BODY, "channel": "fax"}, "k-4")
    assert refused.status_code == 400 and not IdempotencyKey.objects.exists()
    accepted = _post(bot_client, BODY, "k-4")
    assert accepted.status_code == 201 and Interaction.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_client(bot_client, agent_client):
    assert _post(bot_client, BODY, "shared").status_code == 201
    assert _post(agent_client, BODY, "shared").status_code == 201
    assert Interaction.objects.count() == 2


@pytest.mark.django_db
def test_invalid_key_is_400_and_anonymous_calls_stay_401(bot_client, anonymous_client):
    too_long = _post(bot_client, BODY, "x" * 256)
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.json()["errors"]
    assert _post(anonymous_client, BODY, "k-5").status_code == 401
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_works_on_endpoints_without_their_cooperation_claim_next_is_not_repeated(agent_client):
    first_ticket, _ = HandoffTicketFactory(), HandoffTicketFactory()
    first = _post(agent_client, {}, "claim-1", url="/api/v1/tickets/claim-next/")
    retry = _post(agent_client, {}, "claim-1", url="/api/v1/tickets/claim-next/")
    assert retry.json()["ticket_id"] == first.json()["ticket_id"] == str(first_ticket.pk)
    assert HandoffTicket.objects.filter(status="assigned").count() == 1


@pytest.mark.django_db
def test_purge_removes_only_expired_keys():
    IdempotencyKeyFactory(created_at=timezone.now() - datetime.timedelta(hours=25))
    fresh = IdempotencyKeyFactory()
    assert purge_expired_keys() == 1
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [fresh.pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_execute_once():
    bot = BotFactory()
    token_client(bot)  # the token exists before the threads race
    interaction = Interaction.objects.create(customer_id="C-1", channel="phone")
    body = {"interaction_id": str(interaction.pk), "message": {"message": "Allô ?"}}
    barrier, results = threading.Barrier(4), []

    def retry():
        client = token_client(bot)
        barrier.wait()
        response = client.post("/api/v1/turns/", body, format="json", HTTP_IDEMPOTENCY_KEY="turn-1")
        results.append((response.status_code, response.json()))
        connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [201] * 4
    assert len({body["message_id"] for _, body in results}) == 1
    assert ConversationMessage.objects.filter(interaction=interaction).count() == 1


@pytest.mark.django_db
def test_a_new_key_costs_the_client_lookup_one_insert_and_one_update(bot_client):
    with CaptureQueriesContext(connection) as plain:
        assert bot_client.post(URL, BODY, format="json").status_code == 201
    with CaptureQueriesContext(connection) as keyed:
        assert _post(bot_client, BODY, "k-cost").status_code == 201
    # client lookup, the request's transaction (savepoint + release here, BEGIN/COMMIT in production),
    # one INSERT … ON CONFLICT DO NOTHING claiming the key (no savepoint around an INSERT that may fail),
    # the UPDATE storing the response
    assert len(keyed.captured_queries) - len(plain.captured_queries) == 5
    claims = [query["sql"] for query in keyed.captured_queries if "api_idempotency_keys" in query["sql"]]
    assert len(claims) == 2 and "ON CONFLICT" in claims[0]
    record = IdempotencyKey.objects.get(key="k-cost")
    assert record.response_status == 201 and record.client == bot_client.user
    assert Interaction.objects.count() == 2


@pytest.mark.django_db
def test_the_lead_export_ignores_the_key_and_keeps_its_ledger_per_batch():
    from berinia_sync.api.views import ExportView
    from idempotency.middleware import IdempotencyMiddleware

    assert ExportView.idempotency_exempt  # the view opts out; the kernel knows no URL
    seen = []
    middleware = IdempotencyMiddleware(lambda request: seen.append(request.path) or HttpResponse(status=201))
    request = RequestFactory().post(
        "/api/v1/berinia/exports/", data=b"{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    middleware(request)
    middleware(request)
    assert seen == ["/api/v1/berinia/exports/"] * 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_replay_checks_the_callers_current_permissions(agent, agent_client):
    """A demoted agent replaying a claim-next key gets 403, not the stored ticket and customer data."""
    HandoffTicketFactory()
    first = _post(agent_client, {}, "k-claim", url="/api/v1/tickets/claim-next/")
    assert first.status_code == 200 and first.json()["ticket_id"]
    agent.groups.clear()
    replay = _post(token_client(type(agent).objects.get(pk=agent.pk)), {}, "k-claim", url="/api/v1/tickets/claim-next/")
    assert replay.status_code == 403
    assert replay.json()["type"] == "permission_denied" and "ticket_id" not in replay.json()
    assert "Idempotent-Replayed" not in replay


@pytest.mark.django_db
def test_a_replay_counts_against_the_throttle(bot_client):
    from django.core.cache import cache
    from django.test import override_settings

    from tests.api.test_errors_and_throttling import _rest_framework

    cache.clear()
    rates = {"client_burst": "2/min", "client_sustained": "1000/min"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        answers = [_post(bot_client, BODY, "k-throttled").status_code for _ in range(3)]
    cache.clear()
    assert answers == [201, 201, 429]
    assert Interaction.objects.count() == 1
