"""Writes of the approval loop: a bot proposes a risky CRM action, an agent approves (maybe edited) or
rejects it, the bot then logs the executed action against the proposal (crm.services.log_crm_action).

Each service is one transaction that locks the proposal (or, for claim next, skips locked ones) and
writes its audit row (ProposalEvent). Decisions send `crm.signals.proposal_decided` inside the
transaction, so the webhook outbox commits with the decision.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.roles import agents_queryset, is_agent
from core.errors import Conflict, InvalidInput, InvalidTransition, PermissionRefused, get_or_not_found
from core.validation import require_choice, require_text
from interactions.models import Interaction

from . import approval_rules as rules
from . import signals
from .models import ActionProposal, ActionType, ProposalAction, ProposalEvent, ProposalStatus

logger = logging.getLogger(__name__)


def _event(proposal: ActionProposal, action: str, actor=None, note: str = "") -> ProposalEvent:
    return ProposalEvent.objects.create(proposal=proposal, action=action, actor=actor, note=note)


def _locked(proposal_id) -> ActionProposal:
    return get_or_not_found(
        ActionProposal.objects.select_for_update(no_key=True, of=("self",)), "Proposal", pk=proposal_id
    )


def _require_object(field: str, value) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput.for_field(field, 'Expected a JSON object, e.g. {"address": "3 rue Neuve"}.')
    return value


@transaction.atomic
def propose_crm_action(
    *, interaction_id, action_type: str, input_data: dict | None = None, reason: str, proposed_by=None
) -> ActionProposal:
    """Queue a CRM action for a person's decision; it must be decided within its type's SLA."""
    require_choice("action_type", action_type, ActionType)
    input_data = _require_object("input_data", {} if input_data is None else input_data)
    require_text("reason", reason)
    interaction = get_or_not_found(Interaction.objects.only("pk", "customer_id"), "Interaction", pk=interaction_id)
    rule = rules.rule_for(action_type)
    proposal = ActionProposal.objects.create(
        interaction=interaction,
        customer_id=interaction.customer_id,
        action_type=action_type,
        input_data=input_data,
        reason=reason.strip(),
        proposed_by=proposed_by if proposed_by is not None and proposed_by.pk else None,
        due_at=timezone.now() + datetime.timedelta(minutes=rule.sla_minutes),
    )
    _event(proposal, ProposalAction.PROPOSED, proposal.proposed_by)
    return proposal


class ApprovalCapacityReached(Conflict):
    """The agent already holds as many pending proposals as they may."""


def _lock_agent(agent) -> None:
    # Same-agent claims queue up here, so each one counts the proposals the previous one took.
    get_user_model().objects.select_for_update(no_key=True).filter(pk=agent.pk).values_list("pk").first()


def _check_capacity(agent) -> None:
    limit = rules.agent_capacity()
    held = ActionProposal.objects.filter(holder=agent, status=ProposalStatus.PENDING)[:limit].count()
    if held >= limit:
        raise ApprovalCapacityReached(
            f"{agent.get_username()} already holds {held} pending proposal(s), the maximum is {limit}. "
            "Decide or release one first."
        )


@transaction.atomic
def claim_next_proposal(*, agent) -> ActionProposal | None:
    """Give the agent the unheld pending proposal due soonest, or None when none is waiting.

    FOR UPDATE SKIP LOCKED: concurrent claimers skip each other's candidate instead of waiting for it
    or taking it twice. Raises ApprovalCapacityReached (409) when the agent is full; nothing changes then.
    """
    if not is_agent(agent):
        raise PermissionRefused("Only human agents and supervisors may claim proposals.")
    _lock_agent(agent)
    _check_capacity(agent)
    proposal = (
        ActionProposal.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(status=ProposalStatus.PENDING, holder__isnull=True)
        .order_by("due_at", "created_at", "proposal_id")
        .first()
    )
    if proposal is None:
        return None
    proposal.holder, proposal.claimed_at = agent, timezone.now()
    proposal.save(update_fields=["holder", "claimed_at"])
    _event(proposal, ProposalAction.CLAIMED, agent)
    return proposal


def _require_pending(proposal: ActionProposal, target: str) -> None:
    if not rules.can_move(proposal.status, target):
        raise InvalidTransition("Proposal", proposal.status, target, rules.PROPOSAL_TRANSITIONS[proposal.status])


@transaction.atomic
def release_proposal(*, proposal_id, actor, note: str = "") -> ActionProposal:
    """Give a held pending proposal back to the queue: its holder or a supervisor."""
    proposal = _locked(proposal_id)
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(f"Proposal {proposal.pk} is already {proposal.status}; only a pending one can be released.")
    if proposal.holder_id is None:
        raise Conflict(f"Proposal {proposal.pk} is not held by anyone.")
    if not rules.may_release(proposal, actor):
        raise PermissionRefused("Only the proposal's holder or a supervisor may release it.")
    previous = proposal.holder.get_username()
    proposal.holder, proposal.claimed_at = None, None
    proposal.save(update_fields=["holder", "claimed_at"])
    _event(proposal, ProposalAction.RELEASED, actor, note or f"released from {previous}")
    return proposal


@transaction.atomic
def assign_proposal(*, proposal_id, agent: str, actor) -> ActionProposal:
    """A supervisor gives a pending proposal to an agent (reassigns it), capacity aside: it is their call."""
    if not rules.may_assign(actor):
        raise PermissionRefused("Only supervisors may assign proposals.")
    target = agents_queryset().filter(username=agent).first()
    if target is None:
        raise InvalidInput.for_field("agent", f"'{agent}' is not an active agent or supervisor.")
    proposal = _locked(proposal_id)
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(f"Proposal {proposal.pk} is already {proposal.status}; only a pending one can be assigned.")
    previous = proposal.holder.get_username() if proposal.holder_id else "nobody"
    proposal.holder, proposal.claimed_at = target, timezone.now()
    proposal.save(update_fields=["holder", "claimed_at"])
    _event(proposal, ProposalAction.ASSIGNED, actor, f"{previous} → {target.get_username()}")
    return proposal


def _decide(proposal: ActionProposal, *, actor, status: str, reason: str) -> None:
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, timezone.now()
    proposal.decision_reason = reason
    if proposal.holder_id is None:  # a supervisor deciding straight from the queue
        proposal.holder, proposal.claimed_at = actor, proposal.decided_at


def _locked_for_decision(proposal_id, actor, target: str) -> ActionProposal:
    proposal = _locked(proposal_id)
    _require_pending(proposal, target)
    if not rules.may_decide(proposal, actor):
        raise PermissionRefused("Only the proposal's holder or a supervisor may decide it; claim it first.")
    return proposal


@transaction.atomic
def approve_proposal(*, proposal_id, actor, edited_input: dict | None = None, note: str = "") -> ActionProposal:
    """Approve the proposed input, or `edited_input` instead (then the proposal counts as edited)."""
    proposal = _locked_for_decision(proposal_id, actor, ProposalStatus.APPROVED)
    approved = proposal.input_data if edited_input is None else _require_object("input_data", edited_input)
    proposal.edited = approved != proposal.input_data
    proposal.approved_input = approved
    _decide(proposal, actor=actor, status=ProposalStatus.APPROVED, reason=note.strip())
    proposal.save(
        update_fields=[
            "status",
            "approved_input",
            "edited",
            "decided_by",
            "decided_at",
            "decision_reason",
            "holder",
            "claimed_at",
        ]
    )
    if proposal.edited:
        _event(proposal, ProposalAction.EDITED, actor, _changed_keys(proposal.input_data, approved))
    _event(proposal, ProposalAction.APPROVED, actor, note.strip())
    signals.proposal_decided.send(sender=ActionProposal, proposal=proposal)
    return proposal


def _changed_keys(before: dict, after: dict) -> str:
    """Which keys changed (never their values: they may be a customer's personal data)."""
    keys = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    return f"changed: {', '.join(keys)}" if keys else ""


@transaction.atomic
def reject_proposal(*, proposal_id, actor, reason: str) -> ActionProposal:
    """Refuse the action; the reason is required and reaches the bot (GET proposal, approval.decided)."""
    require_text("reason", reason)
    proposal = _locked_for_decision(proposal_id, actor, ProposalStatus.REJECTED)
    _decide(proposal, actor=actor, status=ProposalStatus.REJECTED, reason=reason.strip())
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "holder", "claimed_at"])
    _event(proposal, ProposalAction.REJECTED, actor, reason.strip())
    signals.proposal_decided.send(sender=ActionProposal, proposal=proposal)
    return proposal


@transaction.atomic
def escalate_overdue_proposals(*, now: datetime.datetime | None = None) -> int:
    """Mark every pending proposal past its due time as escalated, once each, with an audit row.

    SKIP LOCKED: a proposal being decided right now is left to its decision (or the next run).
    """
    now = now or timezone.now()
    overdue = list(
        ActionProposal.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(status=ProposalStatus.PENDING, escalated_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)
    )
    if not overdue:
        return 0
    ActionProposal.objects.filter(pk__in=overdue).update(escalated_at=now)
    ProposalEvent.objects.bulk_create(
        [ProposalEvent(proposal_id=pk, action=ProposalAction.ESCALATED, note="SLA passed") for pk in overdue]
    )
    logger.info("Escalated %d overdue approval proposal(s) to the supervisors.", len(overdue))
    return len(overdue)


ERASED_TEXT = "[erased]"


@transaction.atomic
def anonymise_proposals(*, proposals, pseudonym: str) -> int:
    """Blank what may quote the customer (inputs, reasons, audit notes) and swap their id for `pseudonym`.

    For analytics' erase_customer (crm.selectors.proposals_of_customer gives the rows). The customer id
    goes last: the queryset finds the rows through it. Statuses, types and times stay for the statistics.
    """
    ProposalEvent.objects.filter(proposal__in=proposals.values("pk")).update(note="")
    proposals.exclude(approved_input=None).update(approved_input={})
    return proposals.update(customer_id=pseudonym, input_data={}, reason=ERASED_TEXT, decision_reason="")
