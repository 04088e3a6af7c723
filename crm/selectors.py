"""Reads of the mini-CRM."""

from django.db.models import QuerySet

from core.errors import get_or_not_found

from .models import CrmAction, Customer


def get_customer(*, customer_id: str) -> Customer:
    return get_or_not_found(Customer.objects.all(), "Customer", pk=customer_id)


def crm_actions_of_interaction(*, interaction_id) -> QuerySet[CrmAction]:
    return CrmAction.objects.filter(interaction_id=interaction_id).order_by("executed_at")
