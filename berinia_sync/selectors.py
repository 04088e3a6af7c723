"""Reads of berinia_sync: campaigns in Berinia, export runs and their records."""

from django.db.models import Count, QuerySet

from .models import BeriniaCampaign, ExportRecord, ExportRun, Outcome


def list_campaigns() -> QuerySet[BeriniaCampaign]:
    return BeriniaCampaign.objects.select_related("niche").annotate(lead_count=Count("berinialead")).order_by("id")


def rejected_records(run: ExportRun, *, limit: int | None = None) -> QuerySet[ExportRecord]:
    records = ExportRecord.objects.filter(run=run, outcome=Outcome.REJECTED).order_by("position")
    return records[:limit] if limit else records
