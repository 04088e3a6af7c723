"""Reads of the interactions app."""

from django.db.models import QuerySet

from core.errors import get_or_not_found

from .models import ConversationMessage, Interaction


def get_interaction(*, interaction_id) -> Interaction:
    return get_or_not_found(Interaction.objects.all(), "Interaction", pk=interaction_id)


def get_conversation_history(*, interaction_id) -> QuerySet[ConversationMessage]:
    """The transcript in turn order; raises NotFound for an unknown interaction."""
    get_or_not_found(Interaction.objects.only("pk"), "Interaction", pk=interaction_id)
    return ConversationMessage.objects.filter(interaction_id=interaction_id).order_by("turn_number")


def list_interactions() -> QuerySet[Interaction]:
    return Interaction.objects.order_by("-created_at", "interaction_id")


def filter_interactions(
    *,
    status: str | None = None,
    customer_id: str | None = None,
    channel: str | None = None,
    created_after=None,
    created_before=None,
) -> QuerySet[Interaction]:
    """Interactions newest first, narrowed by the filters given (created_after inclusive, created_before exclusive)."""
    queryset = list_interactions()
    if status:
        queryset = queryset.filter(status=status)
    if customer_id:
        queryset = queryset.filter(customer_id=customer_id)
    if channel:
        queryset = queryset.filter(channel=channel)
    if created_after is not None:
        queryset = queryset.filter(created_at__gte=created_after)
    if created_before is not None:
        queryset = queryset.filter(created_at__lt=created_before)
    return queryset
