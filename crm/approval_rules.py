"""The approval rules, each written once: which action types need a person, the SLA, capacity, who decides.

Services, selectors and the console take them from here. The per-type rule lives in ActionRule rows
(supervisors edit them in the admin); a type without a row falls back to the defaults below, which are
also what the migration seeds.
"""

from django.conf import settings

from accounts.roles import is_agent, is_supervisor
from core import prepared_sql

from .models import ActionRule, ActionType, ProposalStatus

DEFAULT_GATED = frozenset({ActionType.UPDATE_PAYMENT_METHOD, ActionType.UPDATE_ADDRESS})
DEFAULT_SLA_MINUTES = 15
DEFAULT_AGENT_CAPACITY = 5

# A decision is final: approved and rejected proposals never change status again.
PROPOSAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProposalStatus.PENDING: (ProposalStatus.APPROVED, ProposalStatus.REJECTED),
    ProposalStatus.APPROVED: (),
    ProposalStatus.REJECTED: (),
}


def default_rule(action_type: str) -> ActionRule:
    return ActionRule(
        action_type=action_type, requires_approval=action_type in DEFAULT_GATED, sla_minutes=DEFAULT_SLA_MINUTES
    )


def rule_for(action_type: str) -> ActionRule:
    """The rule of one action type: one primary-key read (raw SQL: every bot turn with a CRM action asks)."""
    return prepared_sql.get_or_none(ActionRule, action_type) or default_rule(action_type)


def agent_capacity() -> int:
    """How many pending proposals one agent may hold at once (APPROVALS_AGENT_CAPACITY, at least 1)."""
    return max(1, int(getattr(settings, "APPROVALS_AGENT_CAPACITY", DEFAULT_AGENT_CAPACITY)))


def can_move(status: str, target: str) -> bool:
    return target in PROPOSAL_TRANSITIONS[status]


def may_decide(proposal, actor) -> bool:
    """Approve, edit or reject: the holder (still an agent) or any supervisor."""
    return is_supervisor(actor) or (is_agent(actor) and proposal.holder_id == actor.pk)


def may_release(proposal, actor) -> bool:
    return may_decide(proposal, actor)


def may_assign(actor) -> bool:
    """Giving a proposal to someone else (not claiming it for oneself) is a supervisor's call."""
    return is_supervisor(actor)
