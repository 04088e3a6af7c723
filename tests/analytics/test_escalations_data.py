"""Known data for the "why bots escalate" tests (no test here; test modules wrap it in a fixture).

One week, DAY … LAST_DAY (local time), with every case of the report:
- claim, 0.40, resolved "wrong-intent", queue claims, assigned after 4 min (started after 6), a failed CRM action
- claim, 0.55, resolved "wrong-intent", queue claims, started after 10 min without an assignment; an earlier
  ticket of the same interaction in queue general was resolved as "other" without anyone touching it
- claim, 0.62, still queued in claims (untouched), one failed and one successful CRM action
- billing, no score, resolved "crm-action-failed", queue billing, assigned after 30 min
- three completed without a ticket (0.90, 0.95, 1.000), one failed without a ticket (0.10)
- CRM action proposals: update_address approved edited (decided in 10 min), approved as proposed (20 min),
  rejected (30 min) and pending; check_policy_status rejected (5 min)
Outside it: an escalation at 23:30 the evening before, one at midnight after LAST_DAY, and a proposal.
"""

import datetime

from handoff.models import ResolutionReason
from tests.analytics.factories import at_local, backdate
from tests.crm.factories import ActionProposalFactory, CrmActionFactory
from tests.handoff.factories import HandoffTicketFactory, QueueFactory
from tests.interactions.factories import InteractionFactory

DAY = datetime.date(2026, 3, 9)
LAST_DAY = DAY + datetime.timedelta(days=6)


def _interaction(intent: str, score: str | None, status: str, when: datetime.datetime):
    interaction = InteractionFactory(intent=intent, confidence_score=score, status=status)
    backdate(interaction, created_at=when)
    return interaction


def _ticket(interaction, queue: str, created: datetime.datetime, *, reason=None, assigned=None, started=None):
    resolved = reason is not None
    ticket = HandoffTicketFactory(
        interaction=interaction,
        queue=QueueFactory(name=queue),
        status="resolved" if resolved else "queued",
        resolved_at=created + datetime.timedelta(hours=1) if resolved else None,
        resolution_reason=ResolutionReason.objects.get(code=reason) if resolved else None,
    )
    backdate(ticket, created_at=created, assigned_at=assigned, started_at=started)
    return ticket


def _minutes(when: datetime.datetime, minutes: int) -> datetime.datetime:
    return when + datetime.timedelta(minutes=minutes)


def build_escalation_world() -> None:
    first = _interaction("claim", "0.400", "completed", at_local(DAY, 9))
    assigned, started = at_local(DAY, 10, 4), at_local(DAY, 10, 6)
    _ticket(first, "claims", at_local(DAY, 10), reason="wrong-intent", assigned=assigned, started=started)
    CrmActionFactory(interaction=first, success=False)

    second = _interaction("claim", "0.550", "completed", at_local(DAY, 10))
    _ticket(second, "general", at_local(DAY, 10, 30), reason="other")
    _ticket(second, "claims", at_local(DAY, 11), reason="wrong-intent", started=at_local(DAY, 11, 10))
    CrmActionFactory(interaction=second, success=True)

    third = _interaction("claim", "0.620", "in_progress", at_local(DAY + datetime.timedelta(days=2), 9))
    _ticket(third, "claims", at_local(DAY + datetime.timedelta(days=2), 9, 5))
    CrmActionFactory(interaction=third, success=False)
    CrmActionFactory(interaction=third, success=True)

    noon = at_local(LAST_DAY, 12)
    billing = _interaction("billing", None, "completed", at_local(LAST_DAY, 11))
    _ticket(billing, "billing", noon, reason="crm-action-failed", assigned=_minutes(noon, 30))

    for score in ("0.900", "0.950", "1.000"):
        _interaction("claim", score, "completed", at_local(DAY + datetime.timedelta(days=1), 15))
    _interaction("claim", "0.100", "failed", at_local(DAY, 16))

    before = _interaction("claim", "0.300", "in_progress", at_local(DAY - datetime.timedelta(days=1), 23, 30))
    _ticket(before, "claims", at_local(DAY - datetime.timedelta(days=1), 23, 40))
    after = _interaction("billing", "0.300", "in_progress", at_local(LAST_DAY + datetime.timedelta(days=1), 0))
    _ticket(after, "billing", at_local(LAST_DAY + datetime.timedelta(days=1), 0, 5))
    build_proposals(first)


def _proposal(interaction, action_type: str, status: str, created: datetime.datetime, minutes=None, edited=False):
    decided = {} if status == "pending" else {"decided_at": _minutes(created, minutes)}
    approved = {"approved_input": {"address": "4 rue Neuve"}} if status == "approved" else {}
    proposal = ActionProposalFactory(
        interaction=interaction, action_type=action_type, status=status, edited=edited, **decided, **approved
    )
    backdate(proposal, created_at=created)


def build_proposals(interaction) -> None:
    morning = at_local(DAY, 9, 30)
    _proposal(interaction, "update_address", "approved", morning, 10, edited=True)
    _proposal(interaction, "update_address", "approved", morning, 20)
    _proposal(interaction, "update_address", "rejected", morning, 30)
    _proposal(interaction, "update_address", "pending", at_local(LAST_DAY, 23, 59))
    _proposal(interaction, "check_policy_status", "rejected", morning, 5)
    _proposal(interaction, "update_address", "approved", at_local(DAY - datetime.timedelta(days=1), 23, 59), 1)
