"""Reads of the console that reach into crm beside handoff.

`handoff` and `crm` never import each other (docs/architecture.md), yet an agent's ticket page shows
the customer's mini-CRM record and the CRM actions the bot ran, the queue page finds tickets by the
customer's name or phone, and both the ticket and the customer pages show the customer's history. The
console sits above those apps and composes those reads here.
"""

import re
import uuid
from dataclasses import dataclass

from django.db.models import F, OrderBy, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from crm import customer_search
from crm import selectors as crm_selectors
from crm.models import Customer
from handoff.models import HandoffTicket
from interactions.models import Interaction

# A customer search feeds an IN list on customer_id, which its index serves; bounded to stay cheap.
MAX_NAME_MATCHES = 200
# The id shown everywhere is the uuid's first 8 hex digits; a shorter prefix than this is too vague to be one.
MIN_ID_PREFIX = 4
_HEX = re.compile(r"[0-9a-f]+")

HISTORY_LIMIT = 20  # contacts listed on the ticket and customer pages
HISTORY_COUNT_CAP = 1000  # "and 1000+ more": counting a bot's catch-all customer id stays bounded


def customer_name_subquery(customer_id_field: str = "customer_id") -> Subquery:
    """Annotation: the mini-CRM name of the row's customer (NULL when unknown)."""
    return Subquery(Customer.objects.filter(pk=OuterRef(customer_id_field)).values("name")[:1])


def customer_ids_matching(term: str) -> list[str]:
    """Customer ids whose name (accents and case ignored), id (case ignored) or phone matches; one query."""
    matches = customer_search.customers_matching(term).values_list("customer_id", flat=True)
    return list(matches[:MAX_NAME_MATCHES])


def customer_record(customer_id: str) -> Customer | None:
    return Customer.objects.filter(pk=customer_id).first()


def crm_actions_of_interaction(interaction_id) -> QuerySet:
    return crm_selectors.crm_actions_of_interaction(interaction_id=interaction_id)


# -- ticket search ------------------------------------------------------------------------------


def uuid_prefix_range(term: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The uuids starting with `term` ("#eb6f74dd", "EB6F74DD-1a", …) as a [low, high] range, or None.

    A range on a uuid column is served by its btree index (uuids compare byte by byte, as their hex reads).
    """
    digits = term.strip().removeprefix("#").replace("-", "").lower()
    if not (MIN_ID_PREFIX <= len(digits) <= 32 and _HEX.fullmatch(digits)):
        return None
    return uuid.UUID(digits.ljust(32, "0")), uuid.UUID(digits.ljust(32, "f"))


def ticket_search_filter(term: str) -> Q:
    """What the queue page's search box finds, as one condition on handoff tickets.

    A full uuid finds that ticket or interaction; a short id as displayed (with or without "#", any case,
    or a longer prefix) the tickets and interactions whose id starts with it; anything else (and a hex word
    typed without "#", which may be a name) also the tickets of the customers it names, by customer id in
    any case, name without accents or case, or phone number in any format (one query on customers).
    """
    term = term.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL: a pasted one would be a 500
    try:
        exact = uuid.UUID(term)
    except ValueError:
        pass
    else:
        return Q(ticket_id=exact) | Q(interaction_id=exact)
    condition = Q()
    id_range = uuid_prefix_range(term)
    if id_range:
        condition |= Q(ticket_id__range=id_range) | Q(interaction__pk__range=id_range)
        if term.startswith("#"):
            return condition  # "#…" is an id as displayed: no customer is named like that
    # One IN list (not "= term OR IN (subquery)") so the customer_id index serves it.
    return condition | Q(customer_id__in=[term, *customer_ids_matching(term)])


def search_tickets(queryset: QuerySet[HandoffTicket], term: str) -> QuerySet[HandoffTicket]:
    """The (ordered) queue queryset narrowed to `term`, sorted from the matches rather than walked in index order.

    Left to itself, PostgreSQL serves "ORDER BY priority, age LIMIT 50" by walking the queue's index and
    skipping rows until 50 match: for a customer search that is ~10,000 scattered heap reads at 1M tickets
    (≈300 ms). The matches themselves are few (the customers' tickets, by their index), so the leading sort
    key is written COALESCE(key, key): the same order, which no index provides, so the planner fetches the
    matches and sorts them.
    """
    searched = queryset.filter(ticket_search_filter(term))
    ordering = list(searched.query.order_by)
    if not ordering:
        return searched
    return searched.order_by(_unindexed(ordering[0]), *ordering[1:])


def _unindexed(key):
    if isinstance(key, str) and key != "?":
        name = key.removeprefix("-")
        return OrderBy(Coalesce(F(name), F(name)), descending=key.startswith("-"))
    if isinstance(key, OrderBy):
        return OrderBy(
            Coalesce(key.expression, key.expression),
            descending=key.descending,
            nulls_first=key.nulls_first,
            nulls_last=key.nulls_last,
        )
    return key


# -- the customer's history ---------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerHistory:
    """The customer's latest contacts (interactions, each with its tickets), newest first."""

    customer_id: str
    contacts: list[Interaction]
    total: int  # all contacts, shown or not, up to HISTORY_COUNT_CAP
    more_capped: bool

    @property
    def more(self) -> int:
        return max(self.total - len(self.contacts), 0)


def customer_history(*, customer_id: str, exclude_interaction_id=None, limit: int = HISTORY_LIMIT) -> CustomerHistory:
    """The customer's contacts and tickets in three queries whatever their number (page, tickets, capped count).

    Each contact carries `tickets` (newest first, with the resolution reason and the holder).
    """
    contacts = Interaction.objects.filter(customer_id=customer_id)
    if exclude_interaction_id is not None:
        contacts = contacts.exclude(pk=exclude_interaction_id)
    tickets = HandoffTicket.objects.select_related("resolution_reason", "assigned_agent").order_by("-created_at")
    page = list(
        contacts.order_by("-created_at", "-interaction_id").prefetch_related(
            Prefetch("handoff_tickets", queryset=tickets, to_attr="tickets")
        )[:limit]
    )
    total = len(page) if len(page) < limit else contacts.order_by()[: HISTORY_COUNT_CAP + 1].count()
    return CustomerHistory(
        customer_id=customer_id,
        contacts=page,
        total=min(total, HISTORY_COUNT_CAP),
        more_capped=total > HISTORY_COUNT_CAP,
    )
