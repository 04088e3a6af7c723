"""Events of the interaction life cycle, for apps above interactions (webhooks) that it must not import.

Sent inside the service's transaction, after the change is written (see handoff/signals.py for why).
"""

from django.dispatch import Signal

# kwargs: interaction (Interaction, status completed, resolved_at set) — from update_interaction_status.
interaction_completed = Signal()
