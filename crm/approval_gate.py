"""The gate of log_crm_action: a gated action type runs only against an approved, unexecuted proposal.

The rule is checked where the action is logged (crm-actions/ and turns/ alike), not by the callers.
"""

from core.errors import Conflict, InvalidInput, NotFound

from . import approval_rules as rules
from .models import ActionProposal, CrmAction, ProposalAction, ProposalEvent, ProposalStatus


def refuse_unapproved(action_type: str) -> None:
    """A gated type without a proposal: 409 naming the rule (one primary-key read)."""
    rule = rules.rule_for(action_type)
    if rule.requires_approval:
        raise Conflict(
            f"'{action_type}' requires a person's approval (rule: {action_type} requires_approval). "
            "Propose it (POST interactions/{id}/crm-actions/proposals/), wait until it is approved, "
            "then log it with its proposal_id.",
            errors={"proposal_id": [f"Required for '{action_type}': an approved proposal of this interaction."]},
        )


def lock_approved_proposal(*, proposal_id, interaction_id, action_type: str, customer_id: str) -> ActionProposal:
    """The proposal, locked, after checking that this action may run under it (else 404/409/400)."""
    try:
        proposal = ActionProposal.objects.select_for_update(no_key=True).get(pk=proposal_id)
    except (ActionProposal.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"Proposal {proposal_id} does not exist.") from exc
    if proposal.interaction_id != interaction_id:
        raise Conflict(
            f"Proposal {proposal.pk} belongs to another interaction.",
            errors={"proposal_id": ["Not a proposal of this interaction."]},
        )
    if proposal.action_type != action_type:
        raise Conflict(
            f"Proposal {proposal.pk} is for '{proposal.action_type}', not '{action_type}'.",
            errors={"action_type": [f"The proposal approved '{proposal.action_type}'."]},
        )
    if proposal.status != ProposalStatus.APPROVED:
        raise Conflict(
            f"Proposal {proposal.pk} is {proposal.status}; only an approved proposal can be executed.",
            errors={"proposal_id": [f"Status is {proposal.status}."]},
        )
    if proposal.executed_action_id is not None:
        raise Conflict(
            f"Proposal {proposal.pk} was already executed (action {proposal.executed_action_id}); "
            "an approval runs once.",
            errors={"proposal_id": ["Already executed."]},
        )
    if customer_id != proposal.customer_id:
        raise InvalidInput.for_field("customer_id", f"The proposal is for customer {proposal.customer_id}.")
    return proposal


def approved_input_or_refuse(proposal: ActionProposal, input_data: dict | None) -> dict:
    """The input to log: the approved one; another input is a 400 (omit input_data to use it)."""
    if input_data is None:
        return proposal.approved_input
    if input_data != proposal.approved_input:
        raise InvalidInput.for_field(
            "input_data", "Must equal the approved input of the proposal (omit input_data to use it)."
        )
    return input_data


def link_executed(proposal: ActionProposal, action: CrmAction, actor=None) -> None:
    proposal.executed_action = action
    proposal.save(update_fields=["executed_action"])
    ProposalEvent.objects.create(
        proposal=proposal, action=ProposalAction.EXECUTED, actor=actor, note=f"action {action.pk}"
    )
