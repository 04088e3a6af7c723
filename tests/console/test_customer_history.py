"""The customer's history on the ticket page and the customer page: earlier contacts and their tickets,
newest first, linked, bounded, in a constant number of queries; tel: and mailto: links (issue #12)."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from console import selectors
from handoff.models import ResolutionReason
from interactions.models import Interaction
from tests.accounts.two_factor_factories import force_login
from tests.crm.factories import CustomerFactory
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(agent) -> Client:
    return force_login(Client(), agent)


def _contact(customer_id, days_ago, **kwargs) -> Interaction:
    interaction = InteractionFactory(customer_id=customer_id, **kwargs)
    Interaction.objects.filter(pk=interaction.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return interaction


def _ticket_page(client, ticket) -> str:
    response = client.get(reverse("admin:handoff_handoffticket_change", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _history(body) -> str:
    match = re.search(r'<section class="cb-panel" id="cb-customer-history">.*?</section>', body, re.S)
    assert match, "no customer history on the page"
    return match.group(0)


def _contact_ids(section) -> list[str]:
    return re.findall(r'<tr id="cb-contact-([0-9a-f-]+)">', section)


@pytest.fixture
def story():
    """Chloé's current ticket, two earlier contacts (one escalated and resolved), and another customer's."""
    CustomerFactory(customer_id="CUST-003", name="Chloé Petit", phone="06 12 34 56 78", email="chloe@example.org")
    old = _contact("CUST-003", 30, intent="update_address", status="completed")
    escalated = _contact("CUST-003", 7, intent="claim_dispute", emotion="angry", status="completed")
    resolved = HandoffTicketFactory(
        interaction=escalated,
        status="resolved",
        resolved_at=timezone.now(),
        reason="Customer disputes a refused claim",
        resolution_reason=ResolutionReason.objects.order_by("code").first(),
    )
    other = HandoffTicketFactory(interaction=_contact("CUST-999", 1, intent="other_customers_intent"))
    current = HandoffTicketFactory(interaction=_contact("CUST-003", 0, intent="claim_status"))
    return {"old": old, "escalated": escalated, "resolved": resolved, "other": other, "current": current}


def test_ticket_page_lists_earlier_contacts_newest_first(client, story):
    section = _history(_ticket_page(client, story["current"]))
    assert _contact_ids(section) == [str(story["escalated"].pk), str(story["old"].pk)]  # current one excluded
    assert "Earlier contacts of CUST-003" in section
    assert "claim_dispute" in section and "angry" in section and "update_address" in section
    assert "Customer disputes a refused claim" in section
    assert f"resolved: {story['resolved'].resolution_reason.label}" in section
    assert "handled by the bot" in section  # the old contact had no ticket
    assert "other_customers_intent" not in section and str(story["other"].interaction_id) not in section


def test_history_links_each_ticket_and_contact(client, story):
    section = _history(_ticket_page(client, story["current"]))
    ticket_url = reverse("admin:handoff_handoffticket_change", args=[story["resolved"].pk])
    assert f'<a href="{ticket_url}">#{str(story["resolved"].pk)[:8]}</a>' in section
    for contact in (story["old"], story["escalated"]):
        assert f'href="{reverse("admin:interactions_interaction_change", args=[contact.pk])}"' in section
    assert client.get(ticket_url).status_code == 200
    assert client.get(reverse("admin:interactions_interaction_change", args=[story["old"].pk])).status_code == 200


def test_a_first_contact_says_there_is_no_earlier_one(client):
    ticket = HandoffTicketFactory(interaction=_contact("CUST-NEW", 0))
    section = _history(_ticket_page(client, ticket))
    assert _contact_ids(section) == []
    assert "No earlier contact with this customer." in section


def test_history_is_limited_and_says_how_many_more(client, story):
    for day in range(40, 65):
        _contact("CUST-003", day)
    section = _history(_ticket_page(client, story["current"]))
    ids = _contact_ids(section)
    assert len(ids) == selectors.HISTORY_LIMIT and ids[:2] == [str(story["escalated"].pk), str(story["old"].pk)]
    assert "and 7 more" in section  # 27 earlier contacts, 20 shown
    assert f"{reverse('admin:interactions_interaction_changelist')}?q=CUST-003" in section


def test_history_count_is_capped_for_a_catch_all_customer(monkeypatch):
    monkeypatch.setattr(selectors, "HISTORY_COUNT_CAP", 5)
    for day in range(8):
        _contact("UNKNOWN", day)
    history = selectors.customer_history(customer_id="UNKNOWN", limit=3)
    assert (len(history.contacts), history.total, history.more_capped, history.more) == (3, 5, True, 2)


def test_history_queries_do_not_grow_with_the_contacts(client, story):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _ticket_page(client, story["current"])
        return len(queries)

    for day in range(40, 63):  # past the limit, so the "and N more" count runs in both
        HandoffTicketFactory(interaction=_contact("CUST-003", day))
    count()  # warm the per-process caches (content types, permissions)
    few = count()
    for day in range(63, 90):
        HandoffTicketFactory(interaction=_contact("CUST-003", day))
    assert count() == few


def test_selector_runs_three_queries_at_most(django_assert_max_num_queries, story):
    for day in range(40, 70):
        HandoffTicketFactory(interaction=_contact("CUST-003", day))
    with django_assert_max_num_queries(3):
        history = selectors.customer_history(customer_id="CUST-003")
        rendered = [
            (c.intent, [(t.status, t.resolution_reason, t.assigned_agent) for t in c.tickets]) for c in history.contacts
        ]
    assert len(rendered) == selectors.HISTORY_LIMIT and history.total == 33


# -- the customer page --------------------------------------------------------------------------


def test_customer_page_shows_history_and_contact_links(client, story):
    response = client.get(reverse("admin:crm_customer_change", args=["CUST-003"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<a href="tel:+33612345678" class="cb-tel">06 12 34 56 78</a>' in body
    assert '<a href="mailto:chloe@example.org" class="cb-mailto">chloe@example.org</a>' in body
    section = _history(body)
    assert "Contacts of CUST-003" in section
    # Every contact of the customer, the current ticket's too, newest first.
    assert _contact_ids(section) == [
        str(story["current"].interaction_id),
        str(story["escalated"].pk),
        str(story["old"].pk),
    ]
    assert "other_customers_intent" not in section


def test_customer_list_links_phone_and_email(client, story):
    body = client.get(reverse("admin:crm_customer_changelist")).content.decode()
    assert 'href="tel:+33612345678"' in body and 'href="mailto:chloe@example.org"' in body


def test_customer_without_phone_or_email_shows_dashes(client):
    CustomerFactory(customer_id="CUST-BARE", phone="", email="")
    body = client.get(reverse("admin:crm_customer_change", args=["CUST-BARE"])).content.decode()
    assert "tel:" not in body and "mailto:" not in body
    assert "No contact with this customer." in _history(body)


@pytest.mark.parametrize("term", ["chloe", "CUST-003", "cust-003", "+33 6 12 34 56 78"])
def test_customer_list_search_finds_names_ids_and_phones(client, story, term):
    CustomerFactory(customer_id="CUST-004", name="Hugo Durand", phone="+33699999999")
    response = client.get(reverse("admin:crm_customer_changelist"), {"q": term})
    assert [customer.pk for customer in response.context["cl"].result_list] == ["CUST-003"]
