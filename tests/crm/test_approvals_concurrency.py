"""Eight agents claim proposals at the same moment, each on its own connection: nobody gets one twice."""

import threading
from collections import Counter

import pytest
from django.db import connection

from crm import approvals
from crm.models import ActionProposal, ProposalEvent
from tests.crm.factories import ActionProposalFactory
from tests.handoff.factories import AgentFactory

AGENTS, CLAIMS_EACH, PROPOSALS = 8, 4, 20


@pytest.mark.django_db(transaction=True)
def test_eight_agents_claiming_at_once_never_get_the_same_proposal(settings):
    settings.APPROVALS_AGENT_CAPACITY = CLAIMS_EACH
    agents = [AgentFactory(username=f"approver{n}") for n in range(AGENTS)]
    for _ in range(PROPOSALS):
        ActionProposalFactory()
    barrier, claimed, errors = threading.Barrier(AGENTS), [], []

    def claim(agent):
        try:
            barrier.wait()
            for _ in range(CLAIMS_EACH):
                proposal = approvals.claim_next_proposal(agent=agent)
                if proposal is not None:
                    claimed.append((proposal.pk, agent.username))
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's agent
            errors.append((agent.username, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(claimed) == PROPOSALS
    assert max(Counter(pk for pk, _ in claimed).values()) == 1
    holders = dict(ActionProposal.objects.values_list("pk", "holder__username"))
    assert all(holders[pk] == username for pk, username in claimed)
    assert max(Counter(username for _, username in claimed).values()) <= CLAIMS_EACH
    assert ProposalEvent.objects.filter(action="claimed").count() == PROPOSALS
