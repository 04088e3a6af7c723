"""Reads of the interactions app."""

from django.db.models import QuerySet

from callbot_site.errors import get_or_not_found

from .models import ConversationMessage, Interaction


def get_interaction(*, interaction_id) -> Interaction:
    return get_or_not_found(Interaction.objects.all(), "Interaction", pk=interaction_id)


def get_conversation_history(*, interaction_id) -> QuerySet[ConversationMessage]:
    """The transcript in turn order; raises NotFound for an unknown interaction."""
    get_or_not_found(Interaction.objects.only("pk"), "Interaction", pk=interaction_id)
    return ConversationMessage.objects.filter(interaction_id=interaction_id).order_by("turn_number")


def list_interactions() -> QuerySet[Interaction]:
    return Interaction.objects.order_by("-created_at", "interaction_id")
