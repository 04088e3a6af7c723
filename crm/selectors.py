"""Reads of the mini-CRM."""

from django.db.models import Count, Min, Q, QuerySet

from core.errors import get_or_not_found

from .models import ActionProposal, CrmAction, Customer, ProposalEvent, ProposalStatus


def get_customer(*, customer_id: str) -> Customer:
    return get_or_not_found(Customer.objects.all(), "Customer", pk=customer_id)


def crm_actions_of_interaction(*, interaction_id) -> QuerySet[CrmAction]:
    return CrmAction.objects.filter(interaction_id=interaction_id).order_by("executed_at")


def get_proposal(*, proposal_id) -> ActionProposal:
    return get_or_not_found(ActionProposal.objects.all(), "Proposal", pk=proposal_id)


def proposal_events(*, proposal_id) -> QuerySet[ProposalEvent]:
    return ProposalEvent.objects.filter(proposal_id=proposal_id).select_related("actor").order_by("at", "id")


def held_pending_count(*, agent) -> int:
    return ActionProposal.objects.filter(holder=agent, status=ProposalStatus.PENDING).count()


def pending_board() -> dict:
    """The queue page's header: how many wait (unheld), how many are escalated, the next due time."""
    pending = ActionProposal.objects.filter(status=ProposalStatus.PENDING)
    return pending.aggregate(
        waiting=Count("pk", filter=Q(holder__isnull=True)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        next_due=Min("due_at", filter=Q(holder__isnull=True)),
    )


def proposals_of_customer(*, customer_id: str, interaction_ids) -> QuerySet[ActionProposal]:
    """The customer's proposals, by id or through their interactions (for the right to erasure)."""
    return ActionProposal.objects.filter(Q(customer_id=customer_id) | Q(interaction__in=interaction_ids))
