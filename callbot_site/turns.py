"""Recording a whole bot turn in one transaction: the service behind POST /api/v1/turns/.

Why here, in the project package: a turn spans three apps (interactions, crm, handoff), and
ARCHITECTURE.md forbids `interactions` from importing the others, while `crm` and `handoff` must not
import each other. The project package sits above the apps (like `demo.py`): it composes their
services and adds no business rule of its own beyond the order of the steps, which is the seed's
flow — create or continue the interaction, append the customer's message, log the CRM action, log
the bot's response (and add it to the transcript), open a handoff, then set a final status.

One `transaction.atomic` around the steps: a phone turn is all recorded or not at all, in one
round trip. The interaction is locked (or created) once, and the locked instance is handed to the
services, so no step re-reads or re-locks it and no savepoint is needed: a bot turn is the hottest
write path of the product (docs/benchmarks.md). Both messages of a turn go in one INSERT, written
after the CRM action and the response log; the turn numbers say the transcript's order.
"""

from dataclasses import dataclass

from django.db import transaction

from core.errors import Conflict, InvalidInput
from crm import services as crm_services
from handoff import selectors as handoff_selectors
from handoff import services as handoff_services
from interactions import services as interaction_services
from interactions.models import Interaction, Speaker

BOT_SPEAKER = Speaker.AGENT


@dataclass
class TurnResult:
    interaction: Interaction
    created: bool
    message_id: object
    turn_number: int
    action_id: object = None
    response_log_id: object = None
    response_message_id: object = None
    ticket_id: object = None


def _check_combination(*, interaction_id, interaction: dict | None, handoff: dict | None, status: str | None):
    if (interaction_id is None) == (interaction is None):
        raise InvalidInput(
            "Give either interaction_id (to continue an interaction) or interaction (to start one).",
            errors={"interaction_id": ["Exactly one of interaction_id and interaction is required."]},
        )
    if handoff is not None and status in interaction_services.FINAL_STATUSES:
        raise InvalidInput.for_field("status", f"'{status}' cannot be set in a turn that opens a handoff.")


@transaction.atomic
def record_turn(
    *,
    message: dict,
    interaction_id=None,
    interaction: dict | None = None,
    crm_action: dict | None = None,
    response: dict | None = None,
    handoff: dict | None = None,
    status: str | None = None,
    author=None,
) -> TurnResult:
    """Record one turn; each optional part is a dict of the keyword arguments of its app's service.

    `author` is the account that sends the turn: its messages record it."""
    _check_combination(interaction_id=interaction_id, interaction=interaction, handoff=handoff, status=status)
    created = interaction is not None
    if created:
        current = interaction_services.create_interaction(**interaction)
    else:
        current = interaction_services.get_interaction_for_update(interaction_id)
    if current.status in interaction_services.FINAL_STATUSES:
        raise _finished(current)
    transcript = [{**message, "speaker": message.get("speaker", Speaker.CUSTOMER)}]
    result = TurnResult(interaction=current, created=created, message_id=None, turn_number=0)
    if crm_action is not None:
        crm_action = {"customer_id": current.customer_id, **crm_action}
        result.action_id = crm_services.log_crm_action(interaction=current, author=author, **crm_action).pk
    if response is not None:
        fields = _without(response, "add_to_transcript")
        result.response_log_id = interaction_services.log_response(interaction=current, **fields).pk
        if response.get("add_to_transcript", True):
            transcript.append({"speaker": BOT_SPEAKER, "message": fields["response_text"]})
    messages = interaction_services.append_messages(
        interaction=current, messages=transcript, transcript_empty=created, author=author
    )
    result.message_id, result.turn_number = messages[0].pk, messages[0].turn_number
    if len(messages) > 1:
        result.response_message_id = messages[1].pk
    if handoff is not None:
        result.ticket_id = handoff_services.create_handoff_ticket(interaction_id=current.pk, **handoff).pk
        current = Interaction.objects.get(pk=current.pk)  # the handoff moved it to in_progress
    if status is not None and status != current.status:
        _refuse_finishing_an_escalation(current, status)
        interaction_services.update_interaction_status(interaction=current, status=status)
    result.interaction = current
    return result


@transaction.atomic
def set_interaction_status(*, interaction_id, status: str, assigned_agent: str | None = None) -> Interaction:
    """The bots' status change: the life cycle of `interactions`, plus the handoff rule below."""
    interaction = interaction_services.get_interaction_for_update(interaction_id)
    _refuse_finishing_an_escalation(interaction, status)
    return interaction_services.update_interaction_status(
        interaction=interaction, status=status, assigned_agent=assigned_agent
    )


def _refuse_finishing_an_escalation(interaction: Interaction, status: str) -> None:
    """An interaction with an open handoff ticket is finished by the agent who resolves the ticket."""
    if status in interaction_services.FINAL_STATUSES and handoff_selectors.has_open_ticket(
        interaction_id=interaction.pk
    ):
        raise Conflict(
            f"Interaction {interaction.pk} has an open handoff ticket; it becomes {status} when an agent resolves it.",
            errors={"status": ["A human agent holds this interaction: resolve its ticket instead."]},
        )


def _without(data: dict, *keys: str) -> dict:
    return {key: value for key, value in data.items() if key not in keys}


def _finished(interaction: Interaction) -> Conflict:
    return Conflict(
        f"Interaction {interaction.pk} is already {interaction.status}; a finished interaction takes no more turns.",
        errors={"interaction_id": [f"Status is {interaction.status} (final)."]},
    )
