"""SLA escalation: the periodic job's function marks overdue pending proposals once, with an audit row."""

import datetime

import pytest
from django.utils import timezone

from crm import approvals
from crm.models import ActionProposal, ProposalEvent
from crm.tasks import escalate_overdue_proposals
from tests.crm.factories import ActionProposalFactory

pytestmark = pytest.mark.django_db


def test_overdue_pending_proposals_escalate_once():
    now = timezone.now()
    overdue = ActionProposalFactory(due_at=now - datetime.timedelta(minutes=1))
    on_time = ActionProposalFactory(due_at=now + datetime.timedelta(minutes=5))
    decided = ActionProposalFactory(
        due_at=now - datetime.timedelta(minutes=30), status="approved", approved_input={}, decided_at=now
    )

    assert escalate_overdue_proposals(timestamp=int(now.timestamp())) == "1 proposal(s) escalated."
    assert escalate_overdue_proposals(timestamp=int(now.timestamp())) == "0 proposal(s) escalated."

    escalated = {p.pk: p.escalated_at for p in ActionProposal.objects.all()}
    assert escalated[overdue.pk] is not None
    assert escalated[on_time.pk] is None and escalated[decided.pk] is None
    assert list(ProposalEvent.objects.values_list("proposal_id", "action")) == [(overdue.pk, "escalated")]


def test_a_proposal_escalates_when_its_time_comes():
    proposal = ActionProposalFactory()
    assert approvals.escalate_overdue_proposals() == 0
    later = proposal.due_at + datetime.timedelta(seconds=1)
    assert approvals.escalate_overdue_proposals(now=later) == 1
    assert ActionProposal.objects.get(pk=proposal.pk).escalated_at == later
