"""The approval loop in the services: propose → claim → approve (or edit, or reject) → execute once."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionRefused
from crm import approvals, services
from crm.approvals import ApprovalCapacityReached
from crm.models import ActionProposal, ActionRule, CrmAction, ProposalEvent
from crm.signals import proposal_decided
from tests.api.factories import BotFactory
from tests.crm.factories import ActionProposalFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db

ADDRESS = {"address": "3 rue Neuve", "city": "Lyon"}


def trail(proposal) -> list[tuple[str, str | None]]:
    events = ProposalEvent.objects.filter(proposal=proposal).order_by("at", "id").select_related("actor")
    return [(event.action, event.actor.username if event.actor else None) for event in events]


def propose(interaction=None, action_type="update_address", input_data=None, bot=None):
    interaction = interaction or InteractionFactory(customer_id="CUST-9")
    return approvals.propose_crm_action(
        interaction_id=interaction.pk,
        action_type=action_type,
        input_data=ADDRESS if input_data is None else input_data,
        reason="The customer moved to Lyon.",
        proposed_by=bot,
    )


def execute(proposal, **overrides):
    fields = {
        "interaction_id": proposal.interaction_id,
        "customer_id": proposal.customer_id,
        "action_type": proposal.action_type,
        "proposal_id": proposal.pk,
        **overrides,
    }
    return services.log_crm_action(**fields)


def test_the_migration_seeds_the_rules():
    rules = {rule.action_type: (rule.requires_approval, rule.sla_minutes) for rule in ActionRule.objects.all()}
    assert rules == {
        "update_address": (True, 15),
        "update_payment_method": (True, 15),
        "check_policy_status": (False, 15),
        "get_customer_info": (False, 15),
    }


def test_propose_claim_approve_execute_links_everything_and_audits_each_step(agent):
    bot = BotFactory(username="crm-agent")
    proposal = propose(bot=bot)
    assert (proposal.status, proposal.customer_id, proposal.edited) == ("pending", "CUST-9", False)
    assert proposal.due_at - proposal.created_at == pytest.approx(
        datetime.timedelta(minutes=15), abs=datetime.timedelta(seconds=2)
    )

    assert approvals.claim_next_proposal(agent=agent).pk == proposal.pk
    approved = approvals.approve_proposal(proposal_id=proposal.pk, actor=agent)
    assert (approved.status, approved.approved_input, approved.decided_by, approved.edited) == (
        "approved",
        ADDRESS,
        agent,
        False,
    )

    action = execute(proposal, author=bot)
    proposal.refresh_from_db()
    assert proposal.executed_action_id == action.pk and action.input_data == ADDRESS
    assert trail(proposal) == [
        ("proposed", "crm-agent"),
        ("claimed", "alice"),
        ("approved", "alice"),
        ("executed", "crm-agent"),
    ]


def test_edit_and_approve_keeps_both_inputs_and_the_action_must_use_the_edited_one(agent):
    proposal = propose()
    approvals.claim_next_proposal(agent=agent)
    edited = {"address": "5 rue Neuve", "city": "Lyon"}
    approved = approvals.approve_proposal(proposal_id=proposal.pk, actor=agent, edited_input=edited)
    assert (approved.input_data, approved.approved_input, approved.edited) == (ADDRESS, edited, True)
    assert [action for action, _ in trail(proposal)] == ["proposed", "claimed", "edited", "approved"]
    assert ProposalEvent.objects.get(proposal=proposal, action="edited").note == "changed: address"

    with pytest.raises(InvalidInput) as refused:
        execute(proposal, input_data=ADDRESS)  # the bot's original input: not what was approved
    assert "input_data" in refused.value.errors
    action = execute(proposal)  # omitted: the approved input
    assert action.input_data == edited


def test_reject_needs_a_reason_and_a_rejected_proposal_never_executes(agent):
    proposal = propose()
    approvals.claim_next_proposal(agent=agent)
    with pytest.raises(InvalidInput) as blank:
        approvals.reject_proposal(proposal_id=proposal.pk, actor=agent, reason="  ")
    assert "reason" in blank.value.errors
    rejected = approvals.reject_proposal(proposal_id=proposal.pk, actor=agent, reason="Address outside France.")
    assert (rejected.status, rejected.decision_reason, rejected.approved_input) == (
        "rejected",
        "Address outside France.",
        None,
    )
    with pytest.raises(Conflict, match="rejected"):
        execute(proposal)
    with pytest.raises(InvalidTransition):
        approvals.approve_proposal(proposal_id=proposal.pk, actor=agent)
    assert CrmAction.objects.count() == 0


def test_a_proposal_executes_once(agent):
    proposal = propose()
    approvals.claim_next_proposal(agent=agent)
    approvals.approve_proposal(proposal_id=proposal.pk, actor=agent)
    first = execute(proposal)
    with pytest.raises(Conflict, match="already executed"):
        execute(proposal)
    assert list(CrmAction.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_gate_refuses_a_gated_type_without_an_approved_proposal_and_lets_others_through(agent):
    interaction = InteractionFactory(customer_id="CUST-9")
    with pytest.raises(Conflict, match="requires a person's approval") as refused:
        services.log_crm_action(
            interaction_id=interaction.pk, customer_id="CUST-9", action_type="update_payment_method"
        )
    assert "proposal_id" in refused.value.errors
    pending = propose(interaction)
    with pytest.raises(Conflict, match="pending"):
        execute(pending)
    ungated = services.log_crm_action(
        interaction_id=interaction.pk, customer_id="CUST-9", action_type="get_customer_info"
    )
    assert ungated.pk and CrmAction.objects.count() == 1


def test_the_proposal_must_match_the_interaction_type_and_customer(agent):
    proposal = propose()
    approvals.claim_next_proposal(agent=agent)
    approvals.approve_proposal(proposal_id=proposal.pk, actor=agent)
    other = InteractionFactory(customer_id="CUST-9")
    with pytest.raises(Conflict, match="another interaction"):
        execute(proposal, interaction_id=other.pk)
    with pytest.raises(Conflict, match="not 'update_payment_method'"):
        execute(proposal, action_type="update_payment_method")
    with pytest.raises(InvalidInput) as customer:
        execute(proposal, customer_id="CUST-1")
    assert "customer_id" in customer.value.errors
    with pytest.raises(NotFound):
        execute(proposal, proposal_id="00000000-0000-0000-0000-000000000000")
    assert CrmAction.objects.count() == 0


def test_a_supervisor_edits_the_rules(agent):
    ActionRule.objects.filter(pk="update_address").update(requires_approval=False)
    interaction = InteractionFactory(customer_id="CUST-9")
    action = services.log_crm_action(interaction_id=interaction.pk, customer_id="CUST-9", action_type="update_address")
    assert action.pk
    ActionRule.objects.filter(pk="check_policy_status").update(requires_approval=True, sla_minutes=3)
    with pytest.raises(Conflict):
        services.log_crm_action(interaction_id=interaction.pk, customer_id="CUST-9", action_type="check_policy_status")
    proposal = propose(interaction, action_type="check_policy_status")
    assert proposal.due_at - proposal.created_at < datetime.timedelta(minutes=3, seconds=2)


def test_a_missing_rule_row_falls_back_to_the_defaults():
    ActionRule.objects.all().delete()
    interaction = InteractionFactory(customer_id="CUST-9")
    with pytest.raises(Conflict):
        services.log_crm_action(interaction_id=interaction.pk, customer_id="CUST-9", action_type="update_address")
    assert services.log_crm_action(interaction_id=interaction.pk, customer_id="CUST-9", action_type="get_customer_info")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"action_type": "delete_customer"}, "action_type"),
        ({"reason": ""}, "reason"),
        ({"input_data": ["not", "an", "object"]}, "input_data"),
    ],
)
def test_propose_refuses_bad_input(kwargs, field):
    interaction = InteractionFactory()
    fields = {"interaction_id": interaction.pk, "action_type": "update_address", "input_data": {}, "reason": "why"}
    with pytest.raises(InvalidInput) as error:
        approvals.propose_crm_action(**{**fields, **kwargs})
    assert field in error.value.errors
    assert ActionProposal.objects.count() == 0


def test_only_the_holder_or_a_supervisor_decides(agent, other_agent, supervisor):
    proposal = propose()
    with pytest.raises(PermissionRefused):
        approvals.approve_proposal(proposal_id=proposal.pk, actor=agent)  # nobody holds it: claim first
    approvals.claim_next_proposal(agent=agent)
    with pytest.raises(PermissionRefused):
        approvals.reject_proposal(proposal_id=proposal.pk, actor=other_agent, reason="no")
    with pytest.raises(PermissionRefused):
        approvals.release_proposal(proposal_id=proposal.pk, actor=other_agent)
    decided = approvals.approve_proposal(proposal_id=proposal.pk, actor=supervisor)
    assert (decided.status, decided.decided_by, decided.holder) == ("approved", supervisor, agent)


def test_claim_order_is_oldest_due_first_and_release_puts_it_back(agent, other_agent):
    now = timezone.now()
    later = ActionProposalFactory(due_at=now + datetime.timedelta(minutes=10))
    sooner = ActionProposalFactory(due_at=now + datetime.timedelta(minutes=2))
    decided = ActionProposalFactory(
        due_at=now - datetime.timedelta(minutes=5), status="rejected", decided_at=now, decision_reason="x"
    )
    assert approvals.claim_next_proposal(agent=agent).pk == sooner.pk
    assert approvals.claim_next_proposal(agent=other_agent).pk == later.pk
    assert approvals.claim_next_proposal(agent=other_agent) is None
    approvals.release_proposal(proposal_id=sooner.pk, actor=agent)
    assert approvals.claim_next_proposal(agent=other_agent).pk == sooner.pk
    assert [action for action, _ in trail(sooner)] == ["claimed", "released", "claimed"]
    assert ActionProposal.objects.get(pk=decided.pk).holder is None


def test_capacity_limits_held_pending_proposals(agent, settings):
    settings.APPROVALS_AGENT_CAPACITY = 2
    first, second, third = (ActionProposalFactory() for _ in range(3))
    approvals.claim_next_proposal(agent=agent)
    approvals.claim_next_proposal(agent=agent)
    with pytest.raises(ApprovalCapacityReached, match="maximum is 2"):
        approvals.claim_next_proposal(agent=agent)
    assert ActionProposal.objects.get(pk=third.pk).holder is None
    approvals.approve_proposal(proposal_id=first.pk, actor=agent)  # decided ones no longer count
    assert approvals.claim_next_proposal(agent=agent).pk == third.pk


def test_bots_may_not_claim():
    with pytest.raises(PermissionRefused):
        approvals.claim_next_proposal(agent=BotFactory())


def test_a_supervisor_assigns_and_reassigns(agent, other_agent, supervisor):
    proposal = ActionProposalFactory()
    with pytest.raises(PermissionRefused):
        approvals.assign_proposal(proposal_id=proposal.pk, agent="bob", actor=agent)
    with pytest.raises(InvalidInput):
        approvals.assign_proposal(proposal_id=proposal.pk, agent="nobody-here", actor=supervisor)
    approvals.assign_proposal(proposal_id=proposal.pk, agent="alice", actor=supervisor)
    approvals.assign_proposal(proposal_id=proposal.pk, agent="bob", actor=supervisor)
    assert ActionProposal.objects.get(pk=proposal.pk).holder == other_agent
    assert ProposalEvent.objects.filter(proposal=proposal, action="assigned").count() == 2


def test_the_decision_signal_is_sent_inside_the_transaction(agent):
    received = []

    def listener(sender, proposal, **kwargs):
        received.append((proposal.pk, proposal.status, proposal.decided_at is not None))

    proposal_decided.connect(listener)
    try:
        proposal = propose()
        approvals.claim_next_proposal(agent=agent)
        approvals.reject_proposal(proposal_id=proposal.pk, actor=agent, reason="Not allowed.")
    finally:
        proposal_decided.disconnect(listener)
    assert received == [(proposal.pk, "rejected", True)]


def test_the_database_cascades_like_the_orm(agent):
    """Purges delete interactions in SQL: proposals and their audit rows go with them; a deleted action
    leaves its proposal (executed_action becomes NULL)."""
    from django.db import connection

    proposal = propose()
    approvals.claim_next_proposal(agent=agent)
    approvals.approve_proposal(proposal_id=proposal.pk, actor=agent)
    action = execute(proposal)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM crm_actions WHERE action_id = %s", [action.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert ActionProposal.objects.get(pk=proposal.pk).executed_action_id is None
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM interactions WHERE interaction_id = %s", [proposal.interaction_id])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not ActionProposal.objects.filter(pk=proposal.pk).exists()
    assert not ProposalEvent.objects.filter(proposal_id=proposal.pk).exists()


def test_anonymise_proposals_blanks_what_quotes_the_customer(agent):
    from crm import selectors

    proposal = propose()
    approvals.claim_next_proposal(agent=agent)
    approvals.approve_proposal(proposal_id=proposal.pk, actor=agent, edited_input={"address": "9 rue X"})
    other = propose(InteractionFactory(customer_id="CUST-OTHER"))
    found = selectors.proposals_of_customer(customer_id="CUST-9", interaction_ids=[proposal.interaction_id])
    assert approvals.anonymise_proposals(proposals=found, pseudonym="ERASED-1") == 1
    erased = ActionProposal.objects.get(pk=proposal.pk)
    assert (erased.customer_id, erased.input_data, erased.approved_input, erased.reason) == (
        "ERASED-1",
        {},
        {},
        "[erased]",
    )
    assert erased.status == "approved" and erased.edited
    assert set(ProposalEvent.objects.filter(proposal=proposal).values_list("note", flat=True)) == {""}
    assert ActionProposal.objects.get(pk=other.pk).input_data == ADDRESS
