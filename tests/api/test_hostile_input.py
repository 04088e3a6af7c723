"""Random JSON shapes thrown at every write endpoint of the API: never a 5xx, whoever sends them."""

import re
import uuid

import pytest
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import token_client
from tests.api.factories import BotFactory
from tests.handoff.factories import AgentNotificationFactory, HandoffTicketFactory, SupervisorFactory

pytestmark = pytest.mark.django_db(databases=["default", "berinia"])

TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('\x00\\"[{'), max_size=12)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
# Bodies the endpoints' own field names make likely to get past the first check, and anything at all.
FIELDS = [
    "customer_id",
    "name",
    "status",
    "message",
    "speaker",
    "metadata",
    "reason",
    "queue_name",
    "agent",
    "resolution_notes",
    "reason_code",
    "action_type",
    "leads",
    "campaign_id",
    "interaction_id",
    "text",
]
BODIES = JSON | st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=5)
WRITES = [
    ("post", "/api/v1/interactions/"),
    ("post", "/api/v1/interactions/{interaction}/messages/"),
    ("post", "/api/v1/interactions/{interaction}/responses/"),
    ("post", "/api/v1/interactions/{interaction}/status/"),
    ("post", "/api/v1/interactions/{interaction}/crm-actions/"),
    ("post", "/api/v1/interactions/{interaction}/crm-actions/proposals/"),
    ("post", "/api/v1/interactions/{interaction}/handoff/"),
    ("post", "/api/v1/customers/"),
    ("patch", "/api/v1/customers/{customer}/"),
    ("post", "/api/v1/turns/"),
    ("post", "/api/v1/tickets/claim-next/"),
    ("post", "/api/v1/tickets/{ticket}/assign/"),
    ("post", "/api/v1/tickets/{ticket}/start/"),
    ("post", "/api/v1/tickets/{ticket}/resolve/"),
    ("post", "/api/v1/notifications/{notification}/read/"),
    ("post", "/api/v1/berinia/exports/"),
    ("post", "/api/v1/webhooks/"),
    ("patch", "/api/v1/webhooks/{webhook}/"),
    ("delete", "/api/v1/webhooks/{webhook}/"),
    ("post", "/api/v1/webhooks/{webhook}/rotate-secret/"),
]


def api_writes(resolver=None, prefix="") -> set[tuple[str, str]]:
    """(method, path) of every write handler under /api/, from the URL conf; path parameters as `{}`."""
    found = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            found |= api_writes(pattern, route)
        elif route.startswith("api/"):
            view = getattr(pattern.callback, "cls", None)
            for method in ("post", "put", "patch", "delete"):
                if view is not None and hasattr(view, method):
                    found.add((method, "/" + re.sub(r"<[^>]+>", "{}", route)))
    return found


def test_every_write_endpoint_is_listed():
    assert {(method, re.sub(r"{[^}]+}", "{}", path)) for method, path in WRITES} == api_writes()


@pytest.mark.parametrize("method, path", WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_random_json_is_never_a_server_error(method, path):
    supervisor = SupervisorFactory(username="hostile-supervisor")
    ticket = HandoffTicketFactory(assigned_agent=supervisor, status="assigned")
    notification = AgentNotificationFactory(agent=supervisor, ticket=ticket)
    url = path.format(
        interaction=ticket.interaction_id,
        ticket=ticket.pk,
        customer=ticket.customer_id,
        notification=notification.pk,
        webhook=uuid.uuid4(),  # unknown: 404 for a bot, 403 for the supervisor
    )
    clients = [token_client(BotFactory(username="hostile-bot")), token_client(supervisor)]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=BODIES, who=st.sampled_from([0, 1]))
    def throw(body, who):
        response = getattr(clients[who], method)(url, body, format="json")
        assert response.status_code < 500, (body, response.content[:300])

    throw()
