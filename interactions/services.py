"""Writes of the interactions app: interactions, their transcript and the bot's responses."""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core import prepared_sql
from core.errors import Conflict, InvalidInput, InvalidTransition, get_or_not_found
from core.validation import require_choice, require_non_negative, require_unit_interval

from .models import Channel, ConversationMessage, Interaction, InteractionStatus, ResponseLog, Speaker, Tone, Urgency
from .signals import interaction_completed

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


def _existing_interaction(interaction_id, interaction: Interaction | None) -> Interaction:
    """The interaction a child row is written for: the instance the caller already holds, else looked up (404)."""
    if interaction is not None:
        return interaction
    if interaction_id is None:
        raise TypeError("Give interaction_id or interaction.")
    return get_or_not_found(Interaction.objects.only("pk"), "Interaction", pk=interaction_id)


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
    return prepared_sql.create(
        Interaction,
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
    author=None,
) -> ConversationMessage:
    """Append a message to the transcript, recorded by `author` (the calling account).

    The interaction row is locked while the next turn number is read, so concurrent writers to
    one interaction get consecutive numbers instead of colliding on the unique constraint.
    """
    entry = {"speaker": speaker, "message": message, "turn_number": turn_number, "metadata": metadata}
    _check_message(**entry)
    interaction = get_interaction_for_update(interaction_id)
    if interaction.status in FINAL_STATUSES:
        raise Conflict(
            f"Interaction {interaction.pk} is {interaction.status}; a finished interaction takes no more messages.",
            errors={"interaction_id": [f"Status is {interaction.status} (final)."]},
        )
    return append_messages(interaction=interaction, messages=[entry], author=author)[0]


def append_messages(
    *, interaction: Interaction, messages: Sequence[dict], transcript_empty: bool = False, author=None
) -> list[ConversationMessage]:
    """Append several messages (dicts of add_conversation_message's fields) in one INSERT.

    The caller must hold the interaction's row lock (get_interaction_for_update) or have created the
    interaction in the current transaction: that is what makes the turn numbers read here safe.
    With `transcript_empty` (a new interaction) numbering starts at 1 without reading the transcript.
    A message without turn_number goes after every turn so far, including the earlier ones of the batch.
    """
    for entry in messages:
        _check_message(**entry)
    last = 0 if transcript_empty else None
    taken: set[int] = set()
    rows = []
    for entry in messages:
        turn_number = entry.get("turn_number")
        if turn_number is None:
            if last is None:
                last = interaction.messages.aggregate(last=Max("turn_number"))["last"] or 0
            turn_number = max(last, max(taken, default=0)) + 1
        elif turn_number in taken or (
            not transcript_empty and interaction.messages.filter(turn_number=turn_number).exists()
        ):
            raise Conflict(
                f"Turn {turn_number} already exists in this interaction.",
                errors={"turn_number": [f"Turn {turn_number} is already recorded; omit turn_number to append."]},
            )
        taken.add(turn_number)
        rows.append(
            ConversationMessage(
                interaction=interaction,
                speaker=entry["speaker"],
                message=entry["message"],
                turn_number=turn_number,
                metadata=entry.get("metadata") or {},
                author=author,
            )
        )
    return prepared_sql.insert(rows)


def _check_message(*, speaker: str, message: str, turn_number: int | None = None, metadata: dict | None = None):
    require_choice("speaker", speaker, Speaker)
    if not message:
        raise InvalidInput.for_field("message", "This field may not be blank.")
    if turn_number is not None and turn_number < 1:
        raise InvalidInput.for_field("turn_number", f"{turn_number} is not allowed; allowed: 1 or more.")


def update_interaction_status(
    *,
    interaction_id=None,
    status: str,
    assigned_agent: str | None = None,
    interaction: Interaction | None = None,
) -> Interaction:
    """Move an interaction along its life cycle; finishing it stamps resolved_at and the resolution time.

    Give `interaction` instead of `interaction_id` when the caller already holds its row lock (or created
    it in the current transaction): the change is then one UPDATE, without a second lock or a savepoint.
    """
    require_choice("status", status, InteractionStatus)
    if interaction is not None:
        return _change_status(interaction, status, assigned_agent)
    with transaction.atomic():
        return _change_status(get_interaction_for_update(interaction_id), status, assigned_agent)


def _change_status(interaction: Interaction, status: str, assigned_agent: str | None) -> Interaction:
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
    if status == InteractionStatus.COMPLETED:
        interaction_completed.send(sender=Interaction, interaction=interaction)
    return interaction


def log_response(
    *,
    interaction_id=None,
    response_text: str,
    tone: str = Tone.PROFESSIONAL,
    confidence_score: float | Decimal | None = None,
    execution_time_ms: int | None = None,
    model_used: str = "",
    interaction: Interaction | None = None,
) -> ResponseLog:
    """Log the bot's response; `interaction` (an instance the caller holds) spares the existence check."""
    if not response_text:
        raise InvalidInput.for_field("response_text", "This field may not be blank.")
    require_choice("tone", tone, Tone)
    require_unit_interval("confidence_score", confidence_score)
    require_non_negative("execution_time_ms", execution_time_ms)
    interaction = _existing_interaction(interaction_id, interaction)
    return prepared_sql.create(
        ResponseLog,
        interaction=interaction,
        response_text=response_text,
        tone=tone,
        confidence_score=confidence_score,
        execution_time_ms=execution_time_ms,
        model_used=model_used,
    )
