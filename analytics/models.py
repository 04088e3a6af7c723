"""Computed daily metrics, the record of GDPR erasures, and the admin dashboard's entry."""

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


class Dashboard(AnalyticsMetric):
    """No table of its own: gives the admin dashboard a line on the admin index (see analytics/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = "dashboard"
        verbose_name_plural = "dashboard"


class ErasureRecord(models.Model):
    """That a customer's personal data was erased, when and by whom — never whose or what.

    `rows` holds counts per table (anonymous figures), so an auditor can see the erasure reached
    every place the data lived without the record itself becoming personal data.
    """

    erased_at = models.DateTimeField(auto_now_add=True)
    erased_by = models.CharField(max_length=150, help_text="Operator (login name) who ran the erasure.")
    rows = models.JSONField(default=dict, blank=True, help_text="Rows anonymised per table.")

    class Meta:
        db_table = "analytics_erasure_records"
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"erasure #{self.pk} by {self.erased_by} at {self.erased_at:%Y-%m-%d %H:%M}"
