"""The right to erasure (RGPD art. 17): anonymise one customer's personal data everywhere it lives.

What stays: the rows themselves (channel, intent, status, timings, success flags), so daily
statistics and computed metrics do not change. What goes: every text or JSON value that may
carry personal data — the customer record, transcripts, bot responses, CRM payloads, ticket
contexts, notes and notifications, admin log lines — and the customer id itself, replaced
everywhere by one random pseudonym (so "unique customers" still counts them once, but nothing
links the rows back to the person). An ErasureRecord says when and by whom, not whom.
"""

import uuid
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet

from analytics.models import ErasureRecord
from core.errors import InvalidInput, NotFound
from crm import approvals
from crm import selectors as crm_selectors
from crm.models import CrmAction, Customer
from handoff.models import AgentNotification, HandoffTicket, TicketEvent, TicketNote
from idempotency.services import keys_mentioning
from interactions.models import ConversationMessage, Interaction, ResponseLog

ERASED_TEXT = "[erased]"
ERASED_NAME = "Erased customer"


@dataclass(frozen=True)
class ErasureReport:
    dry_run: bool
    pseudonym: str
    rows: dict[str, int]
    record: ErasureRecord | None


def _new_pseudonym() -> str:
    return f"ERASED-{uuid.uuid4().hex}"


def _related_querysets(customer_id: str) -> dict[str, object]:
    interactions = Interaction.objects.filter(customer_id=customer_id)
    interaction_ids = interactions.values("pk")
    tickets = HandoffTicket.objects.filter(Q(customer_id=customer_id) | Q(interaction__in=interaction_ids))
    return {
        "customers": Customer.objects.filter(pk=customer_id),
        "interactions": interactions,
        "conversation_messages": ConversationMessage.objects.filter(interaction__in=interaction_ids),
        "response_logs": ResponseLog.objects.filter(interaction__in=interaction_ids),
        "crm_actions": CrmAction.objects.filter(Q(customer_id=customer_id) | Q(interaction__in=interaction_ids)),
        "crm_action_proposals": crm_selectors.proposals_of_customer(
            customer_id=customer_id, interaction_ids=interaction_ids
        ),
        "handoff_tickets": tickets,
        "agent_notifications": AgentNotification.objects.filter(ticket__in=tickets.values("pk")),
        "handoff_ticket_events": TicketEvent.objects.filter(ticket__in=tickets.values("pk")),
        "handoff_ticket_notes": TicketNote.objects.filter(ticket__in=tickets.values("pk")),
        # Replayable API responses quote the customer (name, e-mail, messages…): they go entirely.
        "api_idempotency_keys": keys_mentioning(
            [customer_id, *(str(pk) for pk in interactions.values_list("pk", flat=True))]
        ),
    }


def _admin_log_entries(querysets: dict) -> QuerySet[LogEntry]:
    """Admin history lines about the customer's objects: their object_repr and messages quote personal data."""
    condition = Q(pk__in=[])
    for name in ("customers", "interactions", "handoff_tickets", "crm_actions"):
        queryset = querysets[name]
        content_type = ContentType.objects.get_for_model(queryset.model)
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        condition |= Q(content_type=content_type, object_id__in=ids)
    return LogEntry.objects.filter(condition)


def _anonymise(querysets: dict, pseudonym: str) -> dict[str, int]:
    """One UPDATE per table; interactions and the customer row last: the others are found through their id."""
    rows = {
        "admin_log_entries": _admin_log_entries(querysets).update(object_repr=ERASED_TEXT, change_message=""),
        "conversation_messages": querysets["conversation_messages"].update(message=ERASED_TEXT, metadata={}),
        "response_logs": querysets["response_logs"].update(response_text=ERASED_TEXT),
        "crm_actions": querysets["crm_actions"].update(
            customer_id=pseudonym, input_data={}, output_data={}, error_message=""
        ),
        "agent_notifications": querysets["agent_notifications"].update(message=ERASED_TEXT),
        "handoff_ticket_events": querysets["handoff_ticket_events"].update(note="", notes=""),
        "handoff_ticket_notes": querysets["handoff_ticket_notes"].update(body=ERASED_TEXT),
        "api_idempotency_keys": querysets["api_idempotency_keys"].delete()[0],
    }
    rows["crm_action_proposals"] = approvals.anonymise_proposals(
        proposals=querysets["crm_action_proposals"], pseudonym=pseudonym
    )
    querysets["handoff_tickets"].exclude(resolution_notes="").update(resolution_notes=ERASED_TEXT)
    rows["handoff_tickets"] = querysets["handoff_tickets"].update(
        customer_id=pseudonym, reason=ERASED_TEXT, context_data={}
    )
    customer_type = ContentType.objects.get_for_model(Customer)
    LogEntry.objects.filter(
        content_type=customer_type, object_id__in=[*querysets["customers"].values_list("pk", flat=True)]
    ).update(object_id=pseudonym)
    rows["interactions"] = querysets["interactions"].update(customer_id=pseudonym)
    rows["customers"] = querysets["customers"].update(
        customer_id=pseudonym, name=ERASED_NAME, email="", phone="", metadata={}
    )
    return rows


def erase_customer(*, customer_id: str, erased_by: str, dry_run: bool = False) -> ErasureReport:
    """Anonymise everything about `customer_id` in one transaction and record that it happened.

    The customer row is locked first so a concurrent edit of the record cannot write personal
    data back between our reads and our updates. Interactions are found by the id even when no
    customer record exists (the bot may have talked to someone never registered).
    """
    if not customer_id or not customer_id.strip():
        raise InvalidInput.for_field("customer_id", "This field is required.")
    if not erased_by or not erased_by.strip():
        raise InvalidInput.for_field("erased_by", "Say who performs the erasure.")
    if customer_id.startswith("ERASED-"):
        raise InvalidInput.for_field("customer_id", "This id is already a pseudonym left by an erasure.")
    pseudonym = _new_pseudonym()
    with transaction.atomic():
        list(Customer.objects.select_for_update().filter(pk=customer_id))
        querysets = _related_querysets(customer_id)
        if not querysets["customers"].exists() and not querysets["interactions"].exists():
            raise NotFound(f"No customer record and no interaction for customer {customer_id}.")
        if dry_run:
            rows = {name: queryset.count() for name, queryset in querysets.items()}
            rows["admin_log_entries"] = _admin_log_entries(querysets).count()
            return ErasureReport(dry_run=True, pseudonym="", rows=rows, record=None)
        rows = _anonymise(querysets, pseudonym)
        record = ErasureRecord.objects.create(erased_by=erased_by.strip()[:150], rows=rows)
    return ErasureReport(dry_run=False, pseudonym=pseudonym, rows=rows, record=record)
