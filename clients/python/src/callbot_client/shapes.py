"""What the calls return: the API's JSON objects as plain dicts, typed (ids are UUID strings, times ISO 8601)."""

from __future__ import annotations

from typing import Any, TypedDict


class Interaction(TypedDict):
    interaction_id: str
    customer_id: str
    channel: str
    intent: str
    emotion: str
    urgency: str
    confidence_score: float | None
    status: str
    assigned_agent: str
    created_at: str
    updated_at: str
    resolved_at: str | None
    resolution_time_seconds: int | None


class Message(TypedDict):
    message_id: str
    interaction_id: str
    turn_number: int
    speaker: str
    message: str
    timestamp: str
    metadata: dict[str, Any]


class CrmAction(TypedDict):
    action_id: str
    interaction_id: str
    customer_id: str
    action_type: str
    input_data: dict[str, Any]
    output_data: dict[str, Any]
    success: bool
    error_message: str
    execution_time_ms: int | None
    executed_at: str


class Proposal(TypedDict):
    proposal_id: str
    interaction_id: str
    customer_id: str
    action_type: str
    input_data: dict[str, Any]
    reason: str
    status: str  # pending, approved or rejected
    approved_input: dict[str, Any] | None
    edited: bool
    decision_reason: str
    decided_at: str | None
    due_at: str
    escalated: bool
    escalated_at: str | None
    executed_action_id: str | None
    created_at: str


class ResponseLog(TypedDict):
    log_id: str
    interaction_id: str
    response_text: str
    tone: str
    confidence_score: float | None
    execution_time_ms: int | None
    model_used: str
    created_at: str


class Ticket(TypedDict):
    ticket_id: str
    interaction_id: str
    customer_id: str
    status: str
    priority: str
    queue_name: str
    assigned_agent: str | None
    reason: str
    context_data: dict[str, Any]
    wait_minutes: int | None
    created_at: str
    assigned_at: str | None
    started_at: str | None
    resolved_at: str | None
    resolution_notes: str
    resolution_reason: str | None


class DailyMetrics(TypedDict):
    date: str
    total_interactions: int
    completed: int
    failed: int
    escalated: int
    avg_resolution_seconds: float | None
    unique_customers: int
