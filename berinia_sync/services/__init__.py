"""Writes of berinia_sync: the lead export, campaigns in Berinia, the status read-back.

`export_leads` is the entry point for the command, the API and other Python code (the benchmarks).
"""

from .campaigns import create_campaign
from .errors import BeriniaSchemaError, BeriniaUnavailable, UnknownCampaign
from .export import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, ExportResult, export_leads
from .feedback import sync_lead_status
from .schema_check import check_berinia_schema

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_BATCH_SIZE",
    "BeriniaSchemaError",
    "BeriniaUnavailable",
    "ExportResult",
    "UnknownCampaign",
    "check_berinia_schema",
    "create_campaign",
    "export_leads",
    "sync_lead_status",
]
