"""Queues exist before bots name them: an unknown queue_name is a 400 naming the existing queues (never a new
queue made on the fly); supervisors create queues with `manage.py create_queue` or in the admin."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from callbot_site.demo import load_demo_data
from core.errors import Conflict, InvalidInput
from handoff import services
from handoff.models import HandoffTicket, Queue
from handoff.services.queues import create_queue
from tests.accounts.two_factor_factories import force_login
from tests.api.conftest import token_client
from tests.api.factories import BotFactory
from tests.handoff.factories import QueueFactory, SupervisorFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bot_client():
    QueueFactory(name="claims")
    QueueFactory(name="billing")
    return token_client(BotFactory(username="tool-router"))


def test_a_handoff_to_an_unknown_queue_is_a_400_naming_the_existing_ones(bot_client):
    interaction = InteractionFactory()
    response = bot_client.post(
        f"/api/v1/interactions/{interaction.pk}/handoff/", {"reason": "Dispute", "queue_name": "claim"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert "'claim' is not a queue; existing queues: billing, claims, general." in body["errors"]["queue_name"][0]
    assert "create_queue" in body["errors"]["queue_name"][0]
    assert not Queue.objects.filter(name="claim").exists() and not HandoffTicket.objects.exists()
    assert interaction.__class__.objects.get(pk=interaction.pk).status == interaction.status  # nothing moved


def test_a_turn_to_an_unknown_queue_is_refused_whole(bot_client):
    response = bot_client.post(
        "/api/v1/turns/",
        {
            "interaction": {"customer_id": "CUST-9", "channel": "phone"},
            "message": {"speaker": "customer", "message": "Un humain svp"},
            "handoff": {"reason": "Asked for a human", "queue_name": "Claims"},
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(
        "'Claims' is not a queue; existing queues: billing, claims, general." in m for m in sum(errors.values(), [])
    )
    assert not Queue.objects.filter(name="Claims").exists() and not HandoffTicket.objects.exists()


def test_existing_queues_and_the_default_one_are_accepted(bot_client):
    Queue.objects.filter(name="general").delete()
    first = bot_client.post(
        f"/api/v1/interactions/{InteractionFactory().pk}/handoff/",
        {"reason": "a", "queue_name": "claims"},
        format="json",
    )
    default = bot_client.post(
        f"/api/v1/interactions/{InteractionFactory().pk}/handoff/", {"reason": "b"}, format="json"
    )
    assert (first.status_code, first.json()["queue_name"]) == (201, "claims")
    # The default queue is made on first use, so a bot naming no queue works on any database.
    assert (default.status_code, default.json()["queue_name"]) == (201, "general")


def test_the_schema_documents_the_refusal_and_lists_the_queues(bot_client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["HandoffInputRequest"]["properties"]["queue_name"]
    assert "refused with 400" in field["description"] and "Existing queues now: billing, claims" in field["description"]
    responses = schema["paths"]["/api/v1/interactions/{interaction_id}/handoff/"]["post"]["responses"]
    assert "400" in responses


def test_create_queue_command_creates_with_settings():
    out = io.StringIO()
    call_command("create_queue", "claims", "--target-wait", "8", "--capacity", "4", stdout=out)
    queue = Queue.objects.get(name="claims")
    assert (queue.target_wait_minutes, queue.takeback_minutes, queue.default_capacity) == (8, 15, 4)
    assert "Queue 'claims' created: target wait 8 min, take-back 15 min, capacity 4 per agent." in out.getvalue()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["claims"], "The queue 'claims' already exists; change its settings in the admin (Queues)."),
        (["new", "--capacity", "0"], "default_capacity: At least 1."),
        (["new", "--target-wait", "-3"], "target_wait_minutes: At least 0."),
        (["  "], "name"),
        (["x" * 101], "name: At most 100 characters."),
    ],
)
def test_create_queue_command_refuses_with_one_clear_line(arguments, message):
    QueueFactory(name="claims", target_wait_minutes=5)
    with pytest.raises(CommandError) as error:
        call_command("create_queue", *arguments, stdout=io.StringIO())
    assert message in str(error.value)
    assert Queue.objects.get(name="claims").target_wait_minutes == 5
    assert not Queue.objects.exclude(name__in=["claims", "general"]).exists()


def test_the_service_refuses_an_existing_name():
    create_queue(name="claims")
    with pytest.raises(Conflict):
        create_queue(name="claims")
    with pytest.raises(InvalidInput) as error:
        services.get_or_create_queue(name="claim")
    assert error.value.errors == {
        "queue_name": [
            "'claim' is not a queue; existing queues: claims, general. "
            "A supervisor creates queues in the admin or with `manage.py create_queue NAME`."
        ]
    }


def test_supervisors_create_a_queue_in_the_admin():
    client = force_login(Client(), SupervisorFactory(username="sam"))
    response = client.post(
        "/admin/handoff/queue/add/",
        {"name": "motor", "target_wait_minutes": 7, "takeback_minutes": 20, "default_capacity": 2},
    )
    assert response.status_code == 302
    assert Queue.objects.filter(name="motor", target_wait_minutes=7, default_capacity=2).exists()


def test_the_demo_data_creates_the_queues_it_uses():
    assert load_demo_data()
    assert set(Queue.objects.values_list("name", flat=True)) >= {"claims", "billing"}
    assert set(HandoffTicket.objects.values_list("queue_id", flat=True)) == {"claims", "billing"}
