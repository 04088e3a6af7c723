"""List endpoints run a constant number of queries whatever the page size (no N+1)."""

import pytest

from tests.handoff.factories import AgentNotificationFactory, HandoffTicketFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db

# auth token + user groups (roles) + page (+ COUNT for page-number pagination, + the transcript for detail)
LISTS = {
    "/api/v1/interactions/": 3,
    "/api/v1/tickets/": 4,
    "/api/v1/notifications/": 4,
    "/api/v1/interactions/{interaction}/messages/": 5,
}


@pytest.fixture
def rows(agent, other_agent):
    interaction = InteractionFactory()
    for turn in range(1, 61):
        ConversationMessageFactory(interaction=interaction, turn_number=turn)
    InteractionFactory.create_batch(59)
    for index in range(60):
        ticket = HandoffTicketFactory(
            status="assigned" if index % 2 else "queued", assigned_agent=other_agent if index % 2 else None
        )
        AgentNotificationFactory(ticket=ticket, agent=agent)
    return {"interaction": interaction.pk}


@pytest.mark.parametrize("path", list(LISTS))
@pytest.mark.parametrize("page_size", [5, 50])
def test_list_query_count_does_not_grow_with_the_page(
    path, page_size, rows, agent_client, django_assert_max_num_queries
):
    url = path.format(**rows)
    with django_assert_max_num_queries(LISTS[path]):
        response = agent_client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size


def test_ticket_detail_query_count_does_not_grow_with_the_transcript(rows, agent_client, django_assert_max_num_queries):
    ticket = HandoffTicketFactory()
    for turn in range(1, 41):
        ConversationMessageFactory(interaction=ticket.interaction, turn_number=turn)
    with django_assert_max_num_queries(5):
        response = agent_client.get(f"/api/v1/tickets/{ticket.pk}/")
    assert len(response.json()["transcript"]) == 40
