"""Computed daily metrics (one row per day, metric and dimension set)."""

import uuid

from django.db import models


class AnalyticsMetric(models.Model):
    metric_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    metric_date = models.DateField()
    metric_type = models.CharField(max_length=100)
    metric_value = models.DecimalField(max_digits=18, decimal_places=4)
    dimensions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "analytics_metrics"
        ordering = ["-metric_date", "metric_type"]
        constraints = [
            # Recomputing a day replaces its rows instead of adding more.
            models.UniqueConstraint(
                fields=["metric_date", "metric_type", "dimensions"], name="analytics_metrics_unique_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_date} {self.metric_type}={self.metric_value}"
