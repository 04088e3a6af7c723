import datetime

import factory
from django.utils import timezone

from analytics.models import AnalyticsMetric, ErasureRecord


class AnalyticsMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnalyticsMetric

    metric_date = factory.LazyFunction(timezone.localdate)
    metric_type = "interactions_total"
    metric_value = 10
    dimensions = factory.LazyFunction(dict)


class ErasureRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErasureRecord

    erased_by = "dpo"
    rows = factory.LazyFunction(lambda: {"customers": 1})


def at_local(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware datetime on `day` in the project's time zone."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def backdate(obj, **timestamps) -> None:
    """Set auto_now_add columns (created_at, executed_at, …) the factories cannot set, and refresh."""
    type(obj).objects.filter(pk=obj.pk).update(**timestamps)
    obj.refresh_from_db()
