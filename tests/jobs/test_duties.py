"""One real worker, nobody running a command: the periodic duties of issue #11 happen by themselves."""

import datetime

import pytest
from django.utils import timezone

from analytics.models import AnalyticsMetric
from handoff.models import AgentNotification, HandoffTicket, TicketEvent, TicketStatus
from handoff.services import claim_next_ticket
from idempotency.models import IdempotencyKey
from interactions.models import Interaction
from tests.analytics.factories import AnalyticsMetricFactory, at_local, backdate
from tests.api.factories import IdempotencyKeyFactory
from tests.handoff.factories import AgentFactory, HandoffTicketFactory, QueueFactory
from tests.interactions.factories import InteractionFactory
from tests.jobs.workers import rows, wait_for

DAY = datetime.timedelta(days=1)


def _jobs(task: str, status: str = "succeeded") -> int:
    return rows("SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s AND status = %s", [task, status])[0][0]


@pytest.fixture
def past_days():
    """Interactions yesterday, 2 and 3 days ago and today; day-2 already has (deliberately odd) metrics."""
    today = timezone.localdate()
    days = {"yesterday": today - DAY, "stored": today - 2 * DAY, "older": today - 3 * DAY, "today": today}
    for day in days.values():
        backdate(InteractionFactory(), created_at=at_local(day, 10))
    InteractionFactory.create_batch(2)  # today, now
    backdate(InteractionFactory(), created_at=at_local(days["yesterday"], 23, 30))
    AnalyticsMetricFactory(metric_date=days["stored"], metric_type="interactions", metric_value=999)
    return days


@pytest.mark.django_db(transaction=True)
def test_a_worker_alone_takes_back_catches_up_metrics_and_purges(workers, past_days):
    QueueFactory(name="general", target_wait_minutes=60, takeback_minutes=1)
    agent = AgentFactory(username="walked-away")
    HandoffTicketFactory()
    ticket = claim_next_ticket(agent=agent)
    # Claimed 50 s ago: the queue's 1-minute take-back limit falls 10 s from now, while the worker runs.
    HandoffTicket.objects.filter(pk=ticket.pk).update(assigned_at=timezone.now() - datetime.timedelta(seconds=50))
    ticket.refresh_from_db()
    due = ticket.assigned_at + datetime.timedelta(minutes=1)
    old = InteractionFactory()
    backdate(old, created_at=timezone.now() - 100 * DAY)
    expired_key, fresh_key = IdempotencyKeyFactory(created_at=timezone.now() - 25 * DAY / 24), IdempotencyKeyFactory()

    workers.start("alone", fast=("ticket_reminders", "purge_old_data", "purge_idempotency_keys"))

    # The minute duty runs at once, and again each time: before the limit the ticket stays with its agent.
    wait_for(lambda: _jobs("handoff.tasks.send_ticket_reminders"), what="a reminders run", logs=workers.logs)
    if timezone.now() < due - datetime.timedelta(seconds=2):
        assert HandoffTicket.objects.get(pk=ticket.pk).status == TicketStatus.ASSIGNED

    # Yesterday and the older missed day are computed by the starting worker; the stored day is left alone.
    wait_for(
        lambda: (
            AnalyticsMetric.objects.filter(metric_date=past_days["yesterday"]).exists()
            and AnalyticsMetric.objects.filter(metric_date=past_days["older"]).exists()
        ),
        what="the missed days' metrics",
        logs=workers.logs,
    )
    yesterday = AnalyticsMetric.objects.get(
        metric_date=past_days["yesterday"], metric_type="interactions", dimensions={}
    )
    assert yesterday.metric_value == 2
    assert list(
        AnalyticsMetric.objects.filter(metric_date=past_days["stored"]).values_list("metric_value", flat=True)
    ) == [999]
    assert not AnalyticsMetric.objects.filter(metric_date=past_days["today"]).exists()

    # Past the limit, the ticket goes back to the queue, with its audit line and a note to the agent.
    wait_for(
        lambda: HandoffTicket.objects.get(pk=ticket.pk).status == TicketStatus.QUEUED,
        timeout=90,
        what="the take-back",
        logs=workers.logs,
    )
    returned = TicketEvent.objects.get(ticket=ticket, action=TicketEvent.Action.RETURNED)
    assert returned.created_at >= due
    assert HandoffTicket.objects.get(pk=ticket.pk).assigned_agent is None
    assert AgentNotification.objects.filter(agent=agent, ticket=ticket, message__contains="went back").count() == 1

    # The nightly purge (retention 90 days) and the expired Idempotency-Keys, run here every second.
    wait_for(
        lambda: (
            not Interaction.objects.filter(pk=old.pk).exists()
            and not IdempotencyKey.objects.filter(pk=expired_key.pk).exists()
        ),
        what="the purges",
        logs=workers.logs,
    )
    assert Interaction.objects.filter(pk=ticket.interaction_id).exists()
    assert IdempotencyKey.objects.filter(pk=fresh_key.pk).exists()
    assert _jobs("analytics.tasks.catch_up_daily_metrics") >= 1  # one more if a 5-minute slot went by
    assert rows("SELECT task_name FROM procrastinate_jobs WHERE status = 'failed'") == []
