"""DatabaseService: the seed's ten operations, with the back-office's keyword arguments, over its HTTP API.

Each write is a POST carrying an `Idempotency-Key` drawn once per call and sent again on every retry,
so a retry after a timeout or a lost answer is replayed by the server, never recorded twice.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from .errors import CallbotError, ServiceUnavailable, error_from_response
from .retry import RETRY_STATUSES, RetryPolicy, parse_retry_after
from .shapes import CrmAction, DailyMetrics, Interaction, Message, Proposal, ResponseLog, Ticket

logger = logging.getLogger("callbot_client")

# Transport failures worth another try. Not LocalProtocolError, UnsupportedProtocol or InvalidURL: our mistakes.
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_PAGE_SIZE = 200  # the API's maximum


class DatabaseService:
    """The callbot's database service, served by the back-office API at `base_url` (`/api/v1/` is added).

    `token` is an API token (`manage.py create_api_client NAME`), sent as `Authorization: Token …`.
    `timeout` bounds each try in seconds; `retry` bounds the tries (see RetryPolicy). Pass `http_client`
    to use your own `httpx.Client` (proxies, certificates, event hooks); it is then yours to close.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._token = token
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client()

    def __repr__(self) -> str:  # never the token
        return f"DatabaseService(base_url={self.base_url!r})"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> DatabaseService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- interactions -----------------------------------------------------------------------------

    def create_interaction(
        self,
        *,
        customer_id: str,
        channel: str,
        intent: str = "",
        emotion: str = "",
        urgency: str = "low",
        confidence_score: float | Decimal | None = None,
    ) -> Interaction:
        """Start an interaction (status `pending`). channel: phone, chat, email; urgency: low, medium, high."""
        body = {
            "customer_id": customer_id,
            "channel": channel,
            "intent": intent,
            "emotion": emotion,
            "urgency": urgency,
            "confidence_score": confidence_score,
        }
        return self._call("POST", "interactions/", body=body)

    def add_conversation_message(
        self,
        *,
        interaction_id: str | uuid.UUID,
        speaker: str,
        message: str,
        turn_number: int | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        """Append a message (speaker: customer, agent, system); without turn_number it goes after the last turn.

        The service's `author` is the account of this service's token.
        """
        body = {"speaker": speaker, "message": message, "turn_number": turn_number, "metadata": metadata}
        return self._call("POST", f"interactions/{_segment(interaction_id)}/messages/", body=body)

    def update_interaction_status(
        self, *, interaction_id: str | uuid.UUID, status: str, assigned_agent: str | None = None
    ) -> Interaction:
        """pending → in_progress → completed | failed (else InvalidTransition). assigned_agent: an agent's username."""
        body = {"status": status, "assigned_agent": assigned_agent}
        return self._call("POST", f"interactions/{_segment(interaction_id)}/status/", body=body)

    def get_conversation_history(self, *, interaction_id: str | uuid.UUID) -> list[Message]:
        """The whole transcript in turn order (every page)."""
        messages: list[Message] = []
        page = 1
        while True:
            data = self._call(
                "GET",
                f"interactions/{_segment(interaction_id)}/messages/",
                params={"page": page, "page_size": _PAGE_SIZE},
            )
            messages.extend(data["results"])
            if not data.get("next"):
                return messages
            page += 1

    def log_response(
        self,
        *,
        interaction_id: str | uuid.UUID,
        response_text: str,
        tone: str = "professional",
        confidence_score: float | Decimal | None = None,
        execution_time_ms: int | None = None,
        model_used: str = "",
    ) -> ResponseLog:
        """Log the bot's response (tone: empathetic, professional, friendly)."""
        body = {
            "response_text": response_text,
            "tone": tone,
            "confidence_score": confidence_score,
            "execution_time_ms": execution_time_ms,
            "model_used": model_used,
        }
        return self._call("POST", f"interactions/{_segment(interaction_id)}/responses/", body=body)

    # -- CRM --------------------------------------------------------------------------------------

    def log_crm_action(
        self,
        *,
        interaction_id: str | uuid.UUID,
        customer_id: str,
        action_type: str,
        input_data: dict[str, Any] | None = None,
        output_data: dict[str, Any] | None = None,
        success: bool = True,
        error_message: str = "",
        execution_time_ms: int | None = None,
        proposal_id: str | uuid.UUID | None = None,
    ) -> CrmAction:
        """Log a CRM action the bot ran (a failed one with success=False and its error_message).

        A gated type (e.g. update_address) needs the `proposal_id` of its approved proposal (Conflict without
        one); `input_data` may then be left out: the approved input is logged.
        """
        body = {
            "customer_id": customer_id,
            "action_type": action_type,
            "input_data": input_data,
            "output_data": output_data,
            "success": success,
            "error_message": error_message,
            "execution_time_ms": execution_time_ms,
        }
        if proposal_id is not None:
            body["proposal_id"] = str(proposal_id)
        return self._call("POST", f"interactions/{_segment(interaction_id)}/crm-actions/", body=body)

    def propose_crm_action(
        self,
        *,
        interaction_id: str | uuid.UUID,
        action_type: str,
        reason: str,
        input_data: dict[str, Any] | None = None,
    ) -> Proposal:
        """Ask a person to approve a gated CRM action; poll get_proposal (or take the approval.decided webhook)."""
        body = {"action_type": action_type, "input_data": input_data, "reason": reason}
        return self._call("POST", f"interactions/{_segment(interaction_id)}/crm-actions/proposals/", body=body)

    def get_proposal(self, *, proposal_id: str | uuid.UUID) -> Proposal:
        """The proposal and its decision: status pending, approved (with approved_input) or rejected."""
        return self._call("GET", f"crm-actions/proposals/{_segment(proposal_id)}/")

    # -- handoff ----------------------------------------------------------------------------------

    def create_handoff_ticket(
        self,
        *,
        interaction_id: str | uuid.UUID,
        reason: str,
        priority: str = "medium",
        queue_name: str = "general",
        context_data: dict[str, Any] | None = None,
    ) -> Ticket:
        """Queue a ticket for a human (priority: low, medium, high); the interaction moves to in_progress.

        The ticket is for the interaction's customer: the API takes no `customer_id` override.
        """
        body = {"reason": reason, "priority": priority, "queue_name": queue_name, "context_data": context_data}
        return self._call("POST", f"interactions/{_segment(interaction_id)}/handoff/", body=body)

    def assign_ticket_to_agent(
        self, *, ticket_id: str | uuid.UUID, agent: str, actor: str | None = None, reason: str = ""
    ) -> Ticket:
        """Give a ticket to an agent. `agent` is the agent's **username**.

        `reason` is required when the ticket already has a holder (a reassignment); the holder is told it.

        `actor` is the API **token** of the supervisor who assigns (the API knows the actor by its token);
        default: this service's token. Only supervisors may assign: other tokens get PermissionDenied.
        """
        body = {"agent": agent, **({"reason": reason} if reason else {})}
        return self._call("POST", f"tickets/{_segment(ticket_id)}/assign/", body=body, token=actor)

    def resolve_ticket(
        self,
        *,
        ticket_id: str | uuid.UUID,
        resolution_notes: str,
        reason_code: str,
        actor: str | None = None,
    ) -> Ticket:
        """Resolve a held ticket with a reason code; its interaction is completed.

        `actor` is the API **token** of the agent holding the ticket (or of a supervisor); default: this
        service's token. Anyone else gets PermissionDenied.
        """
        body = {"resolution_notes": resolution_notes, "reason_code": reason_code}
        return self._call("POST", f"tickets/{_segment(ticket_id)}/resolve/", body=body, token=actor)

    # -- analytics --------------------------------------------------------------------------------

    def get_daily_metrics(self, *, date_from: datetime.date | str, date_to: datetime.date | str) -> list[DailyMetrics]:
        """One row per day that had interactions, oldest first (both days included; agents and supervisors only)."""
        params = {"date_from": _iso(date_from), "date_to": _iso(date_to)}
        return self._call("GET", "metrics/daily/", params=params)

    # -- transport --------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> Any:
        """One logical call: tries until a final answer, within the retry policy's bounds."""
        url = f"{self.base_url}/api/v1/{path}"
        headers = {"Authorization": f"Token {token or self._token}", "Accept": "application/json"}
        content = None
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
            headers["Content-Type"] = "application/json"
            content = _encode(body or {})  # encoded once: every retry sends the same bytes
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._try(method, url, path, headers=headers, content=content, params=params)
            except CallbotError as error:
                if error.status is not None and error.status not in RETRY_STATUSES:
                    raise
                delay = self.retry.delay(attempt, error.retry_after)
                if attempt >= self.retry.max_attempts or time.monotonic() - started + delay > self.retry.max_seconds:
                    raise
                logger.warning(
                    "%s %s: %s; retry %d of %d in %.2f s",
                    method,
                    path,
                    error.status or error.type,
                    attempt,
                    self.retry.max_attempts - 1,
                    delay,
                )
            time.sleep(delay)

    def _try(self, method: str, url: str, path: str, *, headers, content, params) -> Any:
        """One HTTP try: the decoded body of a 2xx answer, else the typed error raised."""
        try:
            response = self._http.request(
                method, url, headers=headers, content=content, params=params, timeout=self.timeout
            )
        except _RETRYABLE_TRANSPORT as exc:
            kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection_error"
            raise ServiceUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}", type=kind) from exc
        if 200 <= response.status_code < 300:
            return response.json() if response.content else None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        raise error_from_response(
            response.status_code,
            payload,
            reason=response.reason_phrase,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )


def _segment(value: str | uuid.UUID) -> str:
    return quote(str(value), safe="")


def _iso(value: datetime.date | str) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encode(body: dict[str, Any]) -> bytes:
    """JSON of the body without its None arguments: the API then applies its own defaults."""
    payload = {key: value for key, value in body.items() if value is not None}
    return json.dumps(payload, default=_json_default, ensure_ascii=False).encode()
