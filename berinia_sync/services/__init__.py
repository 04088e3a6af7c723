"""Writes of berinia_sync: the lead export, campaigns in Berinia, the status read-back.

`export_leads` is the entry point for the command, the API and other Python code (the benchmarks);
`queue_export` stores a large export for its job (berinia_sync/tasks.py), which calls `run_queued_export`;
`sweep_dead_runs` marks runs whose process died as interrupted.
"""

from .campaigns import create_campaign
from .errors import BeriniaSchemaError, BeriniaUnavailable, InvalidUpload, RunBusy, UnknownCampaign
from .export import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, ExportResult, export_leads, queue_export, run_queued_export
from .feedback import sync_lead_status
from .ledger import LeadOutcome
from .liveness import sweep_dead_runs
from .schema_check import check_berinia_schema

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_BATCH_SIZE",
    "BeriniaSchemaError",
    "BeriniaUnavailable",
    "ExportResult",
    "InvalidUpload",
    "LeadOutcome",
    "RunBusy",
    "UnknownCampaign",
    "check_berinia_schema",
    "create_campaign",
    "export_leads",
    "queue_export",
    "run_queued_export",
    "sweep_dead_runs",
    "sync_lead_status",
]
