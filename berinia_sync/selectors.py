"""Reads of berinia_sync: campaigns in Berinia, export runs and their records."""

from django.db.models import Count, QuerySet

from accounts.roles import is_supervisor
from core.errors import NotFound

from .models import BeriniaCampaign, ExportRecord, ExportRun, Outcome


def list_campaigns() -> QuerySet[BeriniaCampaign]:
    return BeriniaCampaign.objects.select_related("niche").annotate(lead_count=Count("berinialead")).order_by("id")


def rejected_records(run: ExportRun, *, limit: int | None = None) -> QuerySet[ExportRecord]:
    records = ExportRecord.objects.filter(run=run, outcome=Outcome.REJECTED).order_by("position")
    return records[:limit] if limit else records


def lead_outcomes(run: ExportRun, *, outcome: str | None = None) -> QuerySet[ExportRecord]:
    """What happened to each lead of the run, in input order (the (run, position) unique index serves it)."""
    records = ExportRecord.objects.filter(run=run).order_by("position")
    return records.filter(outcome=outcome) if outcome else records


def export_run_for(user, run_id: int) -> ExportRun:
    """The run, if `user` may see it: supervisors see every run, bots the runs they started (else NotFound)."""
    runs = ExportRun.objects.all()
    if not is_supervisor(user):
        runs = runs.filter(started_by=user.get_username())
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"Export run {run_id} does not exist.")
    return run
