"""Reads for analytics: the seed's get_daily_metrics (more useful queries live beside it)."""

import datetime

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from callbot_site.errors import InvalidInput
from handoff.models import HandoffTicket
from interactions.models import Interaction, InteractionStatus

MAX_RANGE_DAYS = 366


def day_bounds(date_from: datetime.date, date_to: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start of date_from, start of the day after date_to) in the project's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def get_daily_metrics(*, date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    """Per day: totals, completions, failures, escalations, average resolution time, unique customers."""
    if date_from > date_to:
        raise InvalidInput.for_field("date_from", "Must be on or before date_to.")
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise InvalidInput.for_field("date_to", f"The range may cover at most {MAX_RANGE_DAYS} days.")
    start, end = day_bounds(date_from, date_to)
    escalated = Exists(HandoffTicket.objects.filter(interaction=OuterRef("pk")))
    rows = (
        Interaction.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(date=TruncDate("created_at"), was_escalated=escalated)
        .values("date")
        .annotate(
            total_interactions=Count("pk"),
            completed=Count("pk", filter=Q(status=InteractionStatus.COMPLETED)),
            failed=Count("pk", filter=Q(status=InteractionStatus.FAILED)),
            escalated=Count("pk", filter=Q(was_escalated=True)),
            avg_resolution_seconds=Avg("resolution_time_seconds"),
            unique_customers=Count("customer_id", distinct=True),
        )
        .order_by("date")
    )
    return list(rows)
