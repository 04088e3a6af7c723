"""Events of the approval life cycle, for apps above crm (webhooks) that crm must not import.

Sent inside the service's transaction, after the change is written (see handoff/signals.py for why).
"""

from django.dispatch import Signal

# kwargs: proposal (ActionProposal, approved or rejected, decided_at set) — from crm.approvals approve/reject.
proposal_decided = Signal()
