"""Writes of the mini-CRM: customers and the CRM actions the bot ran."""

from django.db import IntegrityError, transaction

from core import prepared_sql
from core.errors import Conflict, InvalidInput, get_or_not_found
from core.validation import require_choice
from interactions.models import Interaction

from . import approval_gate
from .models import ActionType, CrmAction, Customer, Segment

CUSTOMER_EDITABLE_FIELDS = ("name", "email", "phone", "segment", "metadata")


def log_crm_action(
    *,
    interaction_id=None,
    customer_id: str,
    action_type: str,
    input_data: dict | None = None,
    output_data: dict | None = None,
    success: bool = True,
    error_message: str = "",
    execution_time_ms: int | None = None,
    interaction: Interaction | None = None,
    proposal_id=None,
    author=None,
) -> CrmAction:
    """Log a CRM action the bot ran; `interaction` (an instance the caller holds) spares the existence check.

    A gated action type (crm.ActionRule) needs `proposal_id`: an approved proposal of this interaction and
    type, not executed yet. It is locked, and the action is linked to it in the same transaction, so a
    proposal runs once even when two requests race. `author` is who logs it (the audit row's actor).
    """
    require_choice("action_type", action_type, ActionType)
    if not customer_id:
        raise InvalidInput.for_field("customer_id", "This field is required.")
    if execution_time_ms is not None and execution_time_ms < 0:
        raise InvalidInput.for_field("execution_time_ms", f"{execution_time_ms} is negative; allowed: 0 or more.")
    if interaction is None:
        interaction = get_or_not_found(Interaction.objects.only("pk"), "Interaction", pk=interaction_id)
    fields = {
        "customer_id": customer_id,
        "action_type": action_type,
        "output_data": output_data or {},
        "success": success,
        "error_message": error_message,
        "execution_time_ms": execution_time_ms,
    }
    if proposal_id is not None:
        return _log_approved_action(interaction, proposal_id, input_data, fields, author)
    approval_gate.refuse_unapproved(action_type)
    return prepared_sql.create(CrmAction, interaction=interaction, input_data=input_data or {}, **fields)


@transaction.atomic
def _log_approved_action(interaction, proposal_id, input_data, fields: dict, author) -> CrmAction:
    proposal = approval_gate.lock_approved_proposal(
        proposal_id=proposal_id,
        interaction_id=interaction.pk,
        action_type=fields["action_type"],
        customer_id=fields["customer_id"],
    )
    input_data = approval_gate.approved_input_or_refuse(proposal, input_data)
    action = CrmAction.objects.create(interaction=interaction, input_data=input_data, **fields)
    approval_gate.link_executed(proposal, action, author if author is not None and author.pk else None)
    return action


def create_customer(
    *,
    customer_id: str,
    name: str,
    email: str = "",
    phone: str = "",
    segment: str = Segment.STANDARD,
    metadata: dict | None = None,
) -> Customer:
    if not customer_id:
        raise InvalidInput.for_field("customer_id", "This field is required.")
    if not name:
        raise InvalidInput.for_field("name", "This field is required.")
    require_choice("segment", segment, Segment)
    try:
        with transaction.atomic():
            return Customer.objects.create(
                customer_id=customer_id, name=name, email=email, phone=phone, segment=segment, metadata=metadata or {}
            )
    except IntegrityError as exc:
        raise Conflict(
            f"Customer {customer_id} already exists.", errors={"customer_id": ["A customer with this id exists."]}
        ) from exc


@transaction.atomic
def update_customer(*, customer_id: str, **changes) -> Customer:
    """Change some of a customer's fields (name, email, phone, segment, metadata)."""
    unknown = sorted(set(changes) - set(CUSTOMER_EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            f"Unknown fields: {', '.join(unknown)}.",
            errors={field: [f"Not editable; allowed: {', '.join(CUSTOMER_EDITABLE_FIELDS)}."] for field in unknown},
        )
    if "segment" in changes:
        require_choice("segment", changes["segment"], Segment)
    if "name" in changes and not changes["name"]:
        raise InvalidInput.for_field("name", "This field may not be blank.")
    customer = get_or_not_found(Customer.objects.select_for_update(no_key=True), "Customer", pk=customer_id)
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.save(update_fields=[*changes, "updated_at"])
    return customer
