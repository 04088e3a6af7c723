"""The permission matrix of docs/api.md, cell by cell: each role × endpoint gets the documented answer.

An allowed cell answers the endpoint's success code (the setup makes each call valid); a refused cell
answers 403 (authenticated) or 401 (anonymous). Object-level rules (holder or supervisor) follow.
"""

import pytest

from tests.api.conftest import token_client
from tests.crm.factories import CustomerFactory
from tests.handoff.factories import AgentNotificationFactory, HandoffTicketFactory, UserFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db

B, A, S = "bot", "agent", "supervisor"
ALL = {B, A, S}
PEOPLE = {A, S}

# name: (method, path template, body, success code, roles allowed)
ENDPOINTS = {
    "list interactions": ("get", "/api/v1/interactions/", None, 200, ALL),
    "create interaction": ("post", "/api/v1/interactions/", {"customer_id": "C9", "channel": "phone"}, 201, ALL),
    "get interaction": ("get", "/api/v1/interactions/{interaction}/", None, 200, ALL),
    "list messages": ("get", "/api/v1/interactions/{interaction}/messages/", None, 200, ALL),
    "add message": (
        "post",
        "/api/v1/interactions/{interaction}/messages/",
        {"speaker": "customer", "message": "Allô"},
        201,
        ALL,
    ),
    "set status": ("post", "/api/v1/interactions/{interaction}/status/", {"status": "in_progress"}, 200, ALL),
    "log crm action": (
        "post",
        "/api/v1/interactions/{interaction}/crm-actions/",
        {"customer_id": "C1", "action_type": "get_customer_info"},
        201,
        ALL,
    ),
    "log response": ("post", "/api/v1/interactions/{interaction}/responses/", {"response_text": "Bien sûr."}, 201, ALL),
    "open handoff": ("post", "/api/v1/interactions/{interaction}/handoff/", {"reason": "Dispute"}, 201, ALL),
    "record turn": (
        "post",
        "/api/v1/turns/",
        {"interaction_id": "{interaction}", "message": {"message": "Oui"}},
        201,
        ALL,
    ),
    "get customer": ("get", "/api/v1/customers/{customer}/", None, 200, ALL),
    "create customer": ("post", "/api/v1/customers/", {"customer_id": "C-NEW", "name": "Léa Roux"}, 201, ALL),
    "update customer": ("patch", "/api/v1/customers/{customer}/", {"segment": "premium"}, 200, ALL),
    "list tickets": ("get", "/api/v1/tickets/", None, 200, ALL),
    "get ticket": ("get", "/api/v1/tickets/{queued_ticket}/", None, 200, ALL),
    "assign ticket": ("post", "/api/v1/tickets/{queued_ticket}/assign/", {"agent": "bob"}, 200, {S}),
    "start ticket": ("post", "/api/v1/tickets/{held_ticket}/start/", None, 200, PEOPLE),
    "resolve ticket": (
        "post",
        "/api/v1/tickets/{held_ticket}/resolve/",
        {"resolution_notes": "Done", "reason_code": "other"},
        200,
        PEOPLE,
    ),
    "claim next ticket": ("post", "/api/v1/tickets/claim-next/", {}, 200, PEOPLE),
    "list notifications": ("get", "/api/v1/notifications/", None, 200, PEOPLE),
    "read notification": ("post", "/api/v1/notifications/{notification}/read/", None, 200, PEOPLE),
    "daily metrics": ("get", "/api/v1/metrics/daily/", None, 200, PEOPLE),
    "escalation metrics": ("get", "/api/v1/metrics/escalations/", None, 200, PEOPLE),
    "schema": ("get", "/api/v1/schema/", None, 200, ALL | {"none"}),
    "docs": ("get", "/api/v1/docs/", None, 200, ALL | {"none"}),
}


@pytest.fixture
def world(agent, other_agent, supervisor, bot):
    interaction = InteractionFactory(customer_id="C1")
    ConversationMessageFactory(interaction=interaction, turn_number=1)
    CustomerFactory(customer_id="C1")
    queued = HandoffTicketFactory()
    held = HandoffTicketFactory(status="assigned", assigned_agent=agent)
    users = {A: agent, S: supervisor, B: bot, "none": UserFactory(username="stranger")}
    notifications = {role: AgentNotificationFactory(ticket=held, agent=user) for role, user in users.items()}
    return {
        "users": users,
        "ids": {
            "interaction": interaction.pk,
            "customer": "C1",
            "queued_ticket": queued.pk,
            "held_ticket": held.pk,
        },
        "notifications": notifications,
    }


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def _call(client, endpoint, world, role):
    method, path, body, _, _ = ENDPOINTS[endpoint]
    ids = {**world["ids"], "notification": world["notifications"][role].pk}
    return getattr(client, method)(_fill(path, ids), _fill(body, ids), format="json")


CELLS = [(endpoint, role) for endpoint in ENDPOINTS for role in (B, A, S, "none")]


@pytest.mark.parametrize(("endpoint", "role"), CELLS)
def test_permission_matrix_cell(endpoint, role, world):
    _, _, _, success, allowed = ENDPOINTS[endpoint]
    response = _call(token_client(world["users"][role]), endpoint, world, role)
    if role in allowed:
        assert response.status_code == success, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["type"] == "permission_denied"


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_anonymous_callers_get_401_everywhere(endpoint, world, anonymous_client):
    response = _call(anonymous_client, endpoint, world, A)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    if endpoint not in {"schema", "docs"}:  # those render errors in their own format (OpenAPI document, HTML)
        assert response.json()["type"] == "not_authenticated"


def test_agent_may_not_start_or_resolve_a_ticket_held_by_someone_else(world, other_agent_client):
    held = world["ids"]["held_ticket"]
    start = other_agent_client.post(f"/api/v1/tickets/{held}/start/")
    resolve = other_agent_client.post(
        f"/api/v1/tickets/{held}/resolve/", {"resolution_notes": "x", "reason_code": "other"}, format="json"
    )
    assert (start.status_code, resolve.status_code) == (403, 403)
    assert "held by alice" in start.json()["detail"]


def test_agent_may_not_read_another_agents_notification(world, other_agent_client):
    alices = world["notifications"][A].pk
    response = other_agent_client.post(f"/api/v1/notifications/{alices}/read/")
    assert response.status_code == 404


def test_inactive_account_token_is_refused(world, bot_client, bot):
    bot.is_active = False
    bot.save(update_fields=["is_active"])
    response = bot_client.get("/api/v1/interactions/")
    assert response.status_code == 401
    assert response.json()["type"] == "authentication_failed"
