"""The Approvals queue in the console (Django test client): queue page, claim next, the proposal page's
buttons (approve, edit & approve with a JSON error, reject), release and reassign, the rules' admin."""

import datetime

import pytest
from django.utils import timezone

from crm.models import ActionProposal, ActionRule, ProposalEvent
from tests.accounts.two_factor_factories import force_login
from tests.crm.factories import ActionProposalFactory
from tests.interactions.factories import ConversationMessageFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/crm/actionproposal/"


def page(proposal) -> str:
    return f"{QUEUE}{proposal.pk}/change/"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_queue_lists_pending_ones_by_due_time_with_countdown_and_escalation(client, agent):
    now = timezone.now()
    later = ActionProposalFactory(due_at=now + datetime.timedelta(minutes=12), customer_id="CUST-LATER")
    escalated = ActionProposalFactory(due_at=now - datetime.timedelta(minutes=4), escalated_at=now)
    ActionProposalFactory(status="rejected", decided_at=now, decision_reason="no", customer_id="CUST-DONE")
    force_login(client, agent)
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(str(escalated.pk)[:8]) < html.index(str(later.pk)[:8])
    assert "CUST-DONE" not in html  # pending by default
    assert "overdue by 4 min" in html and ("due in 11 min" in html or "due in 12 min" in html)
    assert "cb-escalated" in html and 'id="cb-claim-next-proposal"' in html
    assert str(escalated.pk)[:8] in client.get(QUEUE, {"escalated": "yes"}).content.decode()
    assert str(later.pk)[:8] not in client.get(QUEUE, {"escalated": "yes"}).content.decode()
    assert "CUST-DONE" in client.get(QUEUE, {"state": "rejected"}).content.decode()
    assert client.get(QUEUE, {"reason__regex": "["}).status_code == 400  # undeclared lookups refused


def test_claim_next_then_approve_from_the_proposal_page(client, agent):
    proposal = ActionProposalFactory()
    ConversationMessageFactory(interaction=proposal.interaction, message="Je déménage à Lyon.")
    force_login(client, agent)
    claimed = client.post(f"{QUEUE}claim-next/")
    assert claimed.status_code == 302 and claimed["Location"].endswith(page(proposal))
    shown = client.get(page(proposal)).content.decode()
    assert "Je déménage à Lyon." in shown and "3 rue Neuve" in shown
    assert 'id="cb-approve"' in shown and 'id="cb-reject"' in shown and 'id="cb-edit-approve"' in shown
    done = client.post(f"{QUEUE}{proposal.pk}/approve/", follow=True)
    assert "Approved: the bot may now run the action." in messages_of(done)
    stored = ActionProposal.objects.get(pk=proposal.pk)
    assert (stored.status, stored.decided_by, stored.approved_input) == ("approved", agent, proposal.input_data)
    after = client.get(page(proposal)).content.decode()
    assert 'id="cb-approve"' not in after and "Not executed yet" in after
    assert client.get(f"{QUEUE}claim-next/").status_code == 405


def test_edit_and_approve_refuses_bad_json_clearly_and_keeps_the_text(client, agent):
    proposal = ActionProposalFactory(holder=agent)
    force_login(client, agent)
    for text, message in [
        ('{"address": "5 rue', "The edited input is not valid JSON"),
        ('["a list"]', "must be a JSON object"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ]:
        response = client.post(f"{QUEUE}{proposal.pk}/edit-approve/", {"edited_input": text}, follow=True)
        assert response.status_code == 200
        assert any(message in m for m in messages_of(response)), messages_of(response)
        assert ActionProposal.objects.get(pk=proposal.pk).status == "pending"
    kept = client.post(f"{QUEUE}{proposal.pk}/edit-approve/", {"edited_input": '{"address": '}, follow=True)
    assert "{&quot;address&quot;: </textarea>" in kept.content.decode()

    ok = client.post(
        f"{QUEUE}{proposal.pk}/edit-approve/",
        {"edited_input": '{"address": "5 rue Neuve", "city": "Lyon"}'},
        follow=True,
    )
    assert "Approved with your changes" in " ".join(messages_of(ok))
    stored = ActionProposal.objects.get(pk=proposal.pk)
    assert (stored.approved_input, stored.edited) == ({"address": "5 rue Neuve", "city": "Lyon"}, True)
    assert list(ProposalEvent.objects.filter(proposal=proposal).values_list("action", flat=True)) == [
        "edited",
        "approved",
    ]


def test_reject_needs_a_reason(client, agent):
    proposal = ActionProposalFactory(holder=agent)
    force_login(client, agent)
    blank = client.post(f"{QUEUE}{proposal.pk}/reject/", {"reason": " "}, follow=True)
    assert "Give a reason" in " ".join(messages_of(blank))
    assert ActionProposal.objects.get(pk=proposal.pk).status == "pending"
    client.post(f"{QUEUE}{proposal.pk}/reject/", {"reason": "Outside our area."})
    stored = ActionProposal.objects.get(pk=proposal.pk)
    assert (stored.status, stored.decision_reason) == ("rejected", "Outside our area.")


def test_another_agent_sees_no_buttons_and_cannot_decide(client, agent, other_agent):
    proposal = ActionProposalFactory(holder=agent)
    force_login(client, other_agent)
    shown = client.get(page(proposal)).content.decode()
    assert 'id="cb-approve"' not in shown and "only they or a supervisor can decide it" in shown
    refused = client.post(f"{QUEUE}{proposal.pk}/approve/", follow=True)
    assert "holder or a supervisor" in " ".join(messages_of(refused))
    assert ActionProposal.objects.get(pk=proposal.pk).status == "pending"


def test_capacity_reached_is_a_message(client, agent, settings):
    settings.APPROVALS_AGENT_CAPACITY = 1
    ActionProposalFactory(holder=agent)
    ActionProposalFactory()
    force_login(client, agent)
    response = client.post(f"{QUEUE}claim-next/", follow=True)
    assert "the maximum is 1" in " ".join(messages_of(response))


def test_supervisor_sees_escalated_highlighted_releases_and_reassigns(client, agent, other_agent, supervisor):
    proposal = ActionProposalFactory(holder=agent, escalated_at=timezone.now())
    force_login(client, supervisor)
    shown = client.get(page(proposal)).content.decode()
    assert "cb-summary-escalated" in shown and 'id="cb-release"' in shown and 'id="cb-assign"' in shown
    client.post(f"{QUEUE}{proposal.pk}/assign/", {"agent": "bob"})
    assert ActionProposal.objects.get(pk=proposal.pk).holder == other_agent
    client.post(f"{QUEUE}{proposal.pk}/release/")
    assert ActionProposal.objects.get(pk=proposal.pk).holder is None
    assert list(ProposalEvent.objects.filter(proposal=proposal).values_list("action", "actor__username")) == [
        ("assigned", "sam"),
        ("released", "sam"),
    ]
    trail = client.get(page(proposal)).content.decode()
    assert "alice → bob" in trail


def test_only_supervisors_edit_the_rules(client, agent, supervisor):
    url = "/admin/crm/actionrule/update_address/change/"
    force_login(client, agent)
    assert client.get("/admin/crm/actionrule/").status_code == 200  # agents may read them
    assert client.post(url, {"requires_approval": "", "sla_minutes": "5"}).status_code == 403
    force_login(client, supervisor)
    zero = client.post(url, {"requires_approval": "on", "sla_minutes": "0"})
    assert zero.status_code == 200 and "greater than or equal to 1" in zero.content.decode()
    assert client.post(url, {"sla_minutes": "5"}).status_code == 302
    rule = ActionRule.objects.get(pk="update_address")
    assert (rule.requires_approval, rule.sla_minutes) == (False, 5)
    assert client.get("/admin/crm/actionrule/add/").status_code == 403


def test_queue_page_query_count_does_not_grow_with_rows(client, agent, django_assert_max_num_queries):
    for _ in range(30):
        ActionProposalFactory(holder=agent)
    force_login(client, agent)
    with django_assert_max_num_queries(16):
        assert client.get(QUEUE).status_code == 200
