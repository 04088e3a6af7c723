"""The handoff packet: its schema and field errors, the due time it gives a ticket, the view model."""

import datetime
import uuid

import pytest
from django.utils import timezone

from core.errors import InvalidInput
from handoff import packet, rules, services
from handoff.models import HandoffTicket
from interactions.models import Interaction
from tests.crm.factories import CrmActionFactory
from tests.handoff.factories import handoff_packet
from tests.interactions.factories import InteractionFactory

UTC = datetime.UTC


def test_a_valid_packet_and_a_legacy_free_form_have_no_error():
    assert packet.packet_errors(handoff_packet(due_at="2026-12-01T14:00:00+01:00")) == {}
    assert packet.packet_errors({"version": 1}) == {}
    assert packet.packet_errors({"policy_number": "POL-1", "anything": [1, {"nested": None}]}) == {}
    assert packet.packet_errors({}) == {}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"promises": [{"text": "Call back", "kind": "callback", "due_at": "tomorrow"}]},
            "promises.0.due_at",
            "RFC 3339",
        ),
        (
            {"promises": [{"text": "Call back", "kind": "callback", "due_at": "2026-02-30T10:00:00Z"}]},
            "promises.0.due_at",
            "RFC 3339",
        ),
        (
            {"promises": [{"text": "Call back", "kind": "callback", "due_at": "2026-12-01T14:00:00"}]},
            "promises.0.due_at",
            "offset",
        ),
        (
            {"promises": [{"text": "Call back", "kind": "fax"}]},
            "promises.0.kind",
            "allowed: callback, send_form, send_document, other",
        ),
        ({"promises": [{"kind": "callback"}]}, "promises.0.text", "required"),
        ({"promises": [{"text": "   ", "kind": "other"}]}, "promises.0.text", "blank"),
        ({"actions_done": [{"action_id": "CRM-1", "description": "Checked"}]}, "actions_done.0.action_id", "uuid"),
        ({"preference": {"channel": "pigeon"}}, "preference.channel", "allowed: phone, chat, email, sms"),
        ({"preference": {"callback_before": "14:00"}}, "preference.callback_before", "RFC 3339"),
        ({"understood": {"entities": {"policy_number": 118}}}, "understood.entities.policy_number", "JSON string"),
        ({"understood": {"mood": "angry"}}, "understood.mood", "Unknown field; allowed: intent, summary, entities"),
        ({"missing": "photos"}, "missing", "JSON array"),
        ({"colour": "blue"}, "colour", "Unknown field"),
        ({"promises": [{"text": "x" * 501, "kind": "other"}]}, "promises.0.text", "At most 500 characters"),
    ],
)
def test_an_invalid_packet_names_the_field_and_what_is_allowed(change, field, message):
    errors = packet.packet_errors({"version": 1, **change})
    assert list(errors) == [f"context_data.{field}"]
    assert message in errors[f"context_data.{field}"][0]


def test_every_wrong_field_is_named_at_once():
    errors = packet.packet_errors(
        {"version": 1, "promises": [{"text": "ok", "kind": "callback"}, {"text": "", "kind": "nope", "due_at": 5}]}
    )
    assert set(errors) == {
        "context_data.promises.1.text",
        "context_data.promises.1.kind",
        "context_data.promises.1.due_at",
    }


@pytest.mark.parametrize("version", [2, 0, "1", True, None, 1.5])
def test_an_unknown_version_is_refused_naming_the_allowed_ones(version):
    errors = packet.packet_errors({"version": version})
    assert list(errors) == ["context_data.version"]
    assert errors["context_data.version"][0].endswith("is not a known packet version; allowed: 1.")


def test_validate_raises_invalid_input_with_the_field_errors():
    with pytest.raises(InvalidInput) as raised:
        packet.validate_context_data({"version": 1, "missing": [""]})
    assert raised.value.errors == {"context_data.missing.0": ["May not be blank or hold a NUL (\\u0000) character."]}


def test_due_at_is_the_earliest_promise_with_a_due_time():
    data = handoff_packet(
        promises=[
            {"text": "Send the form", "kind": "send_form", "due_at": "2026-12-01T16:00:00+01:00"},
            {"text": "Call back", "kind": "callback", "due_at": "2026-12-01T13:30:00Z"},  # 14:30 in Paris
            {"text": "Some day", "kind": "other"},
        ]
    )
    assert packet.due_at_of(data) == datetime.datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    assert packet.due_at_of(handoff_packet()) is None  # promises without a due time
    assert packet.due_at_of({"due_at": "2026-12-01T13:30:00Z"}) is None  # legacy: no promise at all


def test_read_context_gives_sections_for_a_packet():
    view = packet.read_context(handoff_packet(due_at="2026-12-01T14:00:00+01:00"))
    assert (view.kind, view.version, view.intent) == ("packet", 1, "claim_dispute")
    assert ("policy number", "POL-2024-118") in view.entities and ("vehicle", "AB-123-CD") in view.entities
    assert [p["text"] for p in view.promises] == [
        "An adviser calls you back before 14:00",  # with a due time first
        "We e-mail you the complaint form",
    ]
    assert view.promises[0]["due_at"] == datetime.datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    assert view.missing == ["Photos of the damage"]
    assert view.preference["channel"] == "phone"
    assert view.preference["callback_after"] == datetime.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "stored",
    [
        {"policy_number": "POL-1", "emotion": "angry"},
        {"version": "2.1", "note": "a bot's own versioning, stored before packets existed"},
        {"version": 1, "promises": "not a list"},  # written around the API: shown as it is, not a crash
    ],
)
def test_read_context_shows_anything_else_as_key_value_pairs(stored):
    view = packet.read_context(stored)
    assert (view.kind, view.pairs) == ("legacy", list(stored.items()))
    assert packet.read_context({}).is_empty


def test_the_published_schema_is_the_packet_schema_without_its_dialect():
    published = packet.published_schema(1)
    assert "$schema" not in published and published["properties"] == packet.PACKET_V1_SCHEMA["properties"]
    assert packet.PACKET_V1_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_due_state_and_countdown_text():
    now = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert rules.due_state(now + datetime.timedelta(minutes=25, seconds=30), now, 15) == ("later", 25)
    assert rules.due_state(now + datetime.timedelta(minutes=10), now, 15) == ("soon", 10)
    assert rules.due_state(now - datetime.timedelta(minutes=5, seconds=10), now, 15) == ("overdue", 5)
    assert rules.countdown_text("later", 25) == "due in 25 min"
    assert rules.countdown_text("overdue", 5) == "overdue 5 min"
    assert rules.countdown_text("later", 125) == "due in 2 h 05 min"
    assert rules.countdown_text("overdue", 3 * 24 * 60 + 65) == "overdue 3 d 1 h"


# -- the service -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_packet_is_stored_and_its_earliest_promise_becomes_the_due_time(agent):
    interaction = InteractionFactory()
    action = CrmActionFactory(interaction=interaction)
    due = timezone.now() + datetime.timedelta(hours=2)
    data = handoff_packet(due_at=due, actions_done=[action])
    ticket = services.create_handoff_ticket(interaction_id=interaction.pk, reason="Dispute", context_data=data)
    ticket = HandoffTicket.objects.get(pk=ticket.pk)
    assert ticket.context_data == data
    assert ticket.due_at == due


@pytest.mark.django_db
def test_a_legacy_context_is_stored_as_sent_without_a_due_time(agent):
    interaction = InteractionFactory()
    ticket = services.create_handoff_ticket(
        interaction_id=interaction.pk, reason="Dispute", context_data={"due_at": "2026-12-01T14:00:00Z", "x": 1}
    )
    ticket.refresh_from_db()
    assert (ticket.context_data, ticket.due_at) == ({"due_at": "2026-12-01T14:00:00Z", "x": 1}, None)


@pytest.mark.django_db
def test_actions_done_must_be_crm_actions_of_this_interaction(agent):
    interaction = InteractionFactory()
    own = CrmActionFactory(interaction=interaction)
    elsewhere = CrmActionFactory()  # another interaction's action
    unknown = uuid.uuid4()
    data = handoff_packet(actions_done=[own, elsewhere])
    data["actions_done"].append({"action_id": str(unknown).upper(), "description": "Invented"})
    with pytest.raises(InvalidInput) as raised:
        services.create_handoff_ticket(interaction_id=interaction.pk, reason="Dispute", context_data=data)
    assert raised.value.errors == {
        "context_data.actions_done.1.action_id": [f"{elsewhere.pk} is not a CRM action of this interaction."],
        "context_data.actions_done.2.action_id": [f"{unknown} is not a CRM action of this interaction."],
    }
    assert not HandoffTicket.objects.exists()
    assert Interaction.objects.get(pk=interaction.pk).status == interaction.status


@pytest.mark.django_db
def test_an_invalid_packet_opens_no_ticket_and_leaves_the_interaction_alone(agent):
    interaction = InteractionFactory(status="pending")
    with pytest.raises(InvalidInput) as raised:
        services.create_handoff_ticket(interaction_id=interaction.pk, reason="Dispute", context_data={"version": 9})
    assert list(raised.value.errors) == ["context_data.version"]
    interaction.refresh_from_db()
    assert (interaction.status, HandoffTicket.objects.count()) == ("pending", 0)


def test_a_due_time_with_an_offset_postgresql_refuses_is_stored_in_utc(db):
    """RFC 3339 allows +21:20; PostgreSQL's timestamptz refuses offsets past ±15:59 (was a 400 DataError)."""
    interaction = InteractionFactory()
    data = handoff_packet(due_at="2030-10-20T18:01:13+21:20")

    ticket = services.create_handoff_ticket(interaction_id=interaction.pk, reason="r", context_data=data)

    ticket.refresh_from_db()
    assert ticket.due_at == datetime.datetime(2030, 10, 19, 20, 41, 13, tzinfo=datetime.UTC)
