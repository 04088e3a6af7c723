import datetime

import factory

from analytics.models import AnalyticsMetric


class AnalyticsMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnalyticsMetric

    metric_date = factory.LazyFunction(datetime.date.today)
    metric_type = "interactions_total"
    metric_value = 10
    dimensions = factory.LazyFunction(dict)
