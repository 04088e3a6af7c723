"""The `data` of each event type: ids, statuses, timestamps and customer_id, nothing more.

The bots already know these records (they created the interaction, they read tickets over the API);
no agent name, no transcript, no customer contact details leave here. Documented in docs/api.md.
"""


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_assigned(ticket) -> dict:
    return {
        "ticket_id": str(ticket.pk),
        "interaction_id": str(ticket.interaction_id),
        "customer_id": ticket.customer_id,
        "status": ticket.status,
        "queue": ticket.queue_id,
        "priority": ticket.priority,
        "assigned_at": _iso(ticket.assigned_at),
    }


def ticket_resolved(ticket) -> dict:
    return {
        "ticket_id": str(ticket.pk),
        "interaction_id": str(ticket.interaction_id),
        "customer_id": ticket.customer_id,
        "status": ticket.status,
        "reason_code": ticket.resolution_reason_id,
        "resolution_notes": ticket.resolution_notes,
        "resolved_at": _iso(ticket.resolved_at),
    }


def interaction_completed(interaction) -> dict:
    return {
        "interaction_id": str(interaction.pk),
        "customer_id": interaction.customer_id,
        "status": interaction.status,
        "channel": interaction.channel,
        "resolved_at": _iso(interaction.resolved_at),
        "resolution_time_seconds": interaction.resolution_time_seconds,
    }


def export_finished(run) -> dict:
    return {
        "run_id": run.pk,
        "status": run.status,
        "dry_run": run.dry_run,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "received": run.received,
        "inserted": run.inserted,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "merged": run.merged,
        "rejected": run.rejected,
    }


def approval_decided(proposal) -> dict:
    """The decision, and for an approval the input to log; the agent's reason, never the agent's name."""
    return {
        "proposal_id": str(proposal.pk),
        "interaction_id": str(proposal.interaction_id),
        "customer_id": proposal.customer_id,
        "action_type": proposal.action_type,
        "status": proposal.status,
        "approved_input": proposal.approved_input,
        "edited": proposal.edited,
        "decision_reason": proposal.decision_reason,
        "decided_at": _iso(proposal.decided_at),
    }
