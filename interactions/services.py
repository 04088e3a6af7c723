"""Writes of the interactions app: interactions, their transcript and the bot's responses."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from callbot_site.errors import Conflict, InvalidInput, InvalidTransition, get_or_not_found
from callbot_site.validation import require_choice, require_non_negative, require_unit_interval

from .models import Channel, ConversationMessage, Interaction, InteractionStatus, ResponseLog, Speaker, Tone, Urgency

# The seed's life cycle: pending → in_progress → completed | failed (a simple case may finish directly).
INTERACTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    InteractionStatus.PENDING: (InteractionStatus.IN_PROGRESS, InteractionStatus.COMPLETED, InteractionStatus.FAILED),
    InteractionStatus.IN_PROGRESS: (InteractionStatus.COMPLETED, InteractionStatus.FAILED),
    InteractionStatus.COMPLETED: (),
    InteractionStatus.FAILED: (),
}
FINAL_STATUSES = (InteractionStatus.COMPLETED, InteractionStatus.FAILED)


def get_interaction_for_update(interaction_id) -> Interaction:
    """Lock an interaction row (no key lock: children may still be inserted) or raise NotFound."""
    return get_or_not_found(Interaction.objects.select_for_update(no_key=True), "Interaction", pk=interaction_id)


def create_interaction(
    *,
    customer_id: str,
    channel: str,
    intent: str = "",
    emotion: str = "",
    urgency: str = Urgency.LOW,
    confidence_score: float | Decimal | None = None,
) -> Interaction:
    if not customer_id:
        raise InvalidInput.for_field("customer_id", "This field is required.")
    require_choice("channel", channel, Channel)
    require_choice("urgency", urgency, Urgency)
    require_unit_interval("confidence_score", confidence_score)
    return Interaction.objects.create(
        customer_id=customer_id,
        channel=channel,
        intent=intent,
        emotion=emotion,
        urgency=urgency,
        confidence_score=confidence_score,
    )


@transaction.atomic
def add_conversation_message(
    *,
    interaction_id,
    speaker: str,
    message: str,
    turn_number: int | None = None,
    metadata: dict | None = None,
) -> ConversationMessage:
    """Append a message to the transcript.

    The interaction row is locked while the next turn number is read, so concurrent writers to
    one interaction get consecutive numbers instead of colliding on the unique constraint.
    """
    require_choice("speaker", speaker, Speaker)
    if not message:
        raise InvalidInput.for_field("message", "This field may not be blank.")
    if turn_number is not None and turn_number < 1:
        raise InvalidInput.for_field("turn_number", f"{turn_number} is not allowed; allowed: 1 or more.")
    interaction = get_interaction_for_update(interaction_id)
    if turn_number is None:
        last = interaction.messages.aggregate(last=Max("turn_number"))["last"]
        turn_number = (last or 0) + 1
    elif interaction.messages.filter(turn_number=turn_number).exists():
        raise Conflict(
            f"Turn {turn_number} already exists in this interaction.",
            errors={"turn_number": [f"Turn {turn_number} is already recorded; omit turn_number to append."]},
        )
    return ConversationMessage.objects.create(
        interaction=interaction, speaker=speaker, message=message, turn_number=turn_number, metadata=metadata or {}
    )


@transaction.atomic
def update_interaction_status(*, interaction_id, status: str, assigned_agent: str | None = None) -> Interaction:
    """Move an interaction along its life cycle; finishing it stamps resolved_at and the resolution time."""
    require_choice("status", status, InteractionStatus)
    interaction = get_interaction_for_update(interaction_id)
    allowed = INTERACTION_TRANSITIONS[interaction.status]
    if status != interaction.status and status not in allowed:
        raise InvalidTransition("Interaction", interaction.status, status, allowed)
    if status == interaction.status and status in FINAL_STATUSES:
        raise InvalidTransition("Interaction", interaction.status, status, allowed)
    fields = ["status", "updated_at"]
    interaction.status = status
    if assigned_agent is not None:
        interaction.assigned_agent = assigned_agent
        fields.append("assigned_agent")
    if status in FINAL_STATUSES:
        interaction.resolved_at = timezone.now()
        interaction.resolution_time_seconds = max(
            0, int((interaction.resolved_at - interaction.created_at).total_seconds())
        )
        fields += ["resolved_at", "resolution_time_seconds"]
    interaction.save(update_fields=fields)
    return interaction


def log_response(
    *,
    interaction_id,
    response_text: str,
    tone: str = Tone.PROFESSIONAL,
    confidence_score: float | Decimal | None = None,
    execution_time_ms: int | None = None,
    model_used: str = "",
) -> ResponseLog:
    if not response_text:
        raise InvalidInput.for_field("response_text", "This field may not be blank.")
    require_choice("tone", tone, Tone)
    require_unit_interval("confidence_score", confidence_score)
    require_non_negative("execution_time_ms", execution_time_ms)
    interaction = get_or_not_found(Interaction.objects.only("pk"), "Interaction", pk=interaction_id)
    return ResponseLog.objects.create(
        interaction=interaction,
        response_text=response_text,
        tone=tone,
        confidence_score=confidence_score,
        execution_time_ms=execution_time_ms,
        model_used=model_used,
    )
