"""The handoff packet over HTTP: POST interactions/{id}/handoff/ and POST turns/, and its OpenAPI description."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from handoff import packet
from handoff.models import HandoffTicket
from interactions.models import Interaction
from tests.crm.factories import CrmActionFactory
from tests.handoff.factories import QueueFactory, handoff_packet
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def _open(client, interaction, context_data):
    QueueFactory(name="claims")  # bots name existing queues only
    return client.post(
        f"/api/v1/interactions/{interaction.pk}/handoff/",
        {"reason": "Dispute", "queue_name": "claims", "context_data": context_data},
        format="json",
    )


def test_a_valid_packet_is_stored_and_its_promise_gives_the_due_time(bot_client, agent):
    interaction = InteractionFactory()
    action = CrmActionFactory(interaction=interaction)
    due = (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    body = handoff_packet(due_at=due.astimezone(datetime.timezone(datetime.timedelta(hours=1))), actions_done=[action])
    response = _open(bot_client, interaction, body)
    assert response.status_code == 201, response.json()
    assert response.json()["context_data"] == body
    ticket = HandoffTicket.objects.get(pk=response.json()["ticket_id"])
    assert (ticket.context_data, ticket.due_at) == (body, due)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"promises": [{"text": "Call back", "kind": "callback", "due_at": "at two"}]}, "promises.0.due_at"),
        ({"promises": [{"text": "Call back", "kind": "telegram"}]}, "promises.0.kind"),
        ({"actions_done": [{"action_id": "42", "description": "Checked"}]}, "actions_done.0.action_id"),
        ({"preference": {"channel": "fax"}}, "preference.channel"),
        ({"understood": {"entities": {"claim_number": ["CLM-1"]}}}, "understood.entities.claim_number"),
        ({"missing": [""]}, "missing.0"),
        ({"extra": True}, "extra"),
    ],
)
def test_an_invalid_packet_is_a_400_naming_the_field(bot_client, change, field):
    interaction = InteractionFactory()
    response = _open(bot_client, interaction, {"version": 1, **change})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error" and list(body["errors"]) == [f"context_data.{field}"]
    assert body["detail"].startswith(f"Invalid input: context_data.{field}: ")
    assert not HandoffTicket.objects.exists()
    assert Interaction.objects.get(pk=interaction.pk).status == interaction.status


def test_an_unknown_version_is_a_400_naming_the_allowed_versions(bot_client):
    response = _open(bot_client, InteractionFactory(), {"version": 2, "promises": []})
    assert response.status_code == 400
    assert response.json()["errors"] == {"context_data.version": ["2 is not a known packet version; allowed: 1."]}


def test_an_action_of_another_interaction_is_a_400_naming_the_item(bot_client):
    interaction = InteractionFactory()
    own, foreign = CrmActionFactory(interaction=interaction), CrmActionFactory()
    response = _open(bot_client, interaction, handoff_packet(actions_done=[own, foreign]))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "context_data.actions_done.1.action_id": [f"{foreign.pk} is not a CRM action of this interaction."]
    }
    assert not HandoffTicket.objects.exists()


def test_a_legacy_free_form_context_is_accepted_as_before(bot_client):
    legacy = {"emotion": "angry", "last_message": "Je veux un conseiller", "scores": [0.2, {"x": None}]}
    response = _open(bot_client, InteractionFactory(), legacy)
    assert response.status_code == 201
    ticket = HandoffTicket.objects.get(pk=response.json()["ticket_id"])
    assert (ticket.context_data, ticket.due_at) == (legacy, None)


def test_a_turn_opens_a_handoff_with_a_packet_and_names_wrong_fields_under_handoff(bot_client):
    interaction = InteractionFactory()
    action = CrmActionFactory(interaction=interaction)  # logged by an earlier turn
    due = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=45)
    turn = {
        "interaction_id": str(interaction.pk),
        "message": {"message": "Je veux parler à quelqu'un"},
        "handoff": {"reason": "Dispute", "context_data": handoff_packet(due_at=due, actions_done=[action])},
    }
    response = bot_client.post("/api/v1/turns/", turn, format="json")
    assert response.status_code == 201, response.json()
    assert HandoffTicket.objects.get(pk=response.json()["ticket_id"]).due_at == due

    wrong = {
        "interaction_id": str(InteractionFactory().pk),
        "message": {"message": "Bonjour"},
        "handoff": {"reason": "Dispute", "context_data": {"version": 1, "promises": [{"text": "x", "kind": "?"}]}},
    }
    refused = bot_client.post("/api/v1/turns/", wrong, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["handoff.context_data.promises.0.kind"]


def test_a_turn_referencing_an_unknown_action_is_refused_whole(bot_client):
    interaction = InteractionFactory()
    turn = {
        "interaction_id": str(interaction.pk),
        "message": {"message": "Bonjour"},
        "handoff": {
            "reason": "Dispute",
            "context_data": {"version": 1, "actions_done": [{"action_id": str(uuid.uuid4()), "description": "?"}]},
        },
    }
    response = bot_client.post("/api/v1/turns/", turn, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["context_data.actions_done.0.action_id"]
    assert not interaction.messages.exists() and not HandoffTicket.objects.exists()  # one transaction


def _document() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


def test_the_openapi_document_publishes_the_packet_as_a_component_in_a_one_of():
    schemas = _document()["components"]["schemas"]
    assert schemas["HandoffPacketV1"] == packet.published_schema(1)
    context = schemas["HandoffInputRequest"]["properties"]["context_data"]
    assert context["oneOf"][0] == {"$ref": "#/components/schemas/HandoffPacketV1"}
    legacy = context["oneOf"][1]
    assert legacy["not"] == {"required": ["version"]} and legacy["type"] == "object"


def test_exactly_one_branch_of_the_documented_context_matches_what_the_api_accepts():
    """The document's oneOf agrees with the server: a packet matches only the packet, a legacy object only the
    free form, and an unknown version (which the API refuses) neither."""
    document = _document()
    context = document["components"]["schemas"]["HandoffInputRequest"]["properties"]["context_data"]
    validator = Draft202012Validator({**context, "components": document["components"]})

    def matches(value):
        return [
            Draft202012Validator({**branch, "components": document["components"]}).is_valid(value)
            for branch in context["oneOf"]
        ]

    valid_packet = handoff_packet(due_at="2026-12-01T14:00:00+01:00")
    assert matches(valid_packet) == [True, False] and validator.is_valid(valid_packet)
    assert matches({"emotion": "angry"}) == [False, True] and validator.is_valid({"emotion": "angry"})
    assert matches({"version": 2}) == [False, False] and packet.packet_errors({"version": 2})
