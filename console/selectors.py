"""Reads of the console that reach into crm beside handoff.

`handoff` and `crm` never import each other (docs/architecture.md), yet an agent's ticket page shows
the customer's mini-CRM record and the CRM actions the bot ran. The console sits above both and
composes those reads here.
"""

from django.db.models import OuterRef, QuerySet, Subquery

from crm import selectors as crm_selectors
from crm.models import Customer

# A name search feeds an IN list on customer_id, which its index serves; bounded to stay cheap.
MAX_NAME_MATCHES = 200


def customer_name_subquery(customer_id_field: str = "customer_id") -> Subquery:
    """Annotation: the mini-CRM name of the row's customer (NULL when unknown)."""
    return Subquery(Customer.objects.filter(pk=OuterRef(customer_id_field)).values("name")[:1])


def customer_ids_named_like(term: str) -> list[str]:
    return list(Customer.objects.filter(name__icontains=term).values_list("customer_id", flat=True)[:MAX_NAME_MATCHES])


def customer_record(customer_id: str) -> Customer | None:
    return Customer.objects.filter(pk=customer_id).first()


def crm_actions_of_interaction(interaction_id) -> QuerySet:
    return crm_selectors.crm_actions_of_interaction(interaction_id=interaction_id)
