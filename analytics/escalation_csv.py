"""The "why bots escalate" tables as CSV files: one table per file, a header row, then the rows."""

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from analytics import escalations
from analytics.escalations import HISTOGRAM_BUCKETS
from core.replica import reads_from_replica

# A spreadsheet runs a cell that starts with one of these as a formula; intents and queue names are
# typed by bots and people, so such a text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BUCKET_COLUMNS = [f"{b / HISTOGRAM_BUCKETS:.1f}-{(b + 1) / HISTOGRAM_BUCKETS:.1f}" for b in range(HISTOGRAM_BUCKETS)]


@dataclass(frozen=True)
class CsvTable:
    title: str
    columns: list[str]
    read: Callable[..., list[dict]]


def _confidence_rows(**days) -> list[dict]:
    rows = escalations.confidence_of_escalated_and_completed(**days)
    return [{**row, **dict(zip(BUCKET_COLUMNS, row["histogram"], strict=True))} for row in rows]


CSV_TABLES: dict[str, CsvTable] = {
    "by-reason": CsvTable(
        "Escalations by intent and reason",
        ["intent", "reason_code", "reason_label", "escalations"],
        escalations.escalations_by_intent_and_reason,
    ),
    "confidence": CsvTable(
        "Bot confidence, escalated vs completed",
        ["group", "interactions", "scored", "average", "median", *BUCKET_COLUMNS],
        _confidence_rows,
    ),
    "crm-failures": CsvTable(
        "Escalations after a failed CRM action",
        ["escalations", "with_failed_crm_action", "share"],
        lambda **days: [escalations.escalations_with_failed_crm_action(**days)],
    ),
    "first-touch": CsvTable(
        "Time to the first human touch per queue",
        ["queue", "tickets", "touched", "untouched", "avg_minutes", "p50_minutes", "p90_minutes"],
        escalations.first_human_touch_by_queue,
    ),
    "approvals": CsvTable(
        "Approval rates of CRM action proposals per action type",
        [
            "action_type",
            "proposals",
            "pending",
            "approved",
            "approved_edited",
            "rejected",
            "approval_rate",
            "edited_share",
            "median_decision_minutes",
        ],
        escalations.approval_rates_by_action_type,
    ),
}


def _cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@reads_from_replica()  # heavy reads: the read replica when one is configured
def escalation_csv(name: str, *, date_from: datetime.date, date_to: datetime.date) -> tuple[str, str]:
    """(file name, CSV text) of one table over the range; KeyError for an unknown table name."""
    table = CSV_TABLES[name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.read(date_from=date_from, date_to=date_to):
        writer.writerow([_cell(row[column]) for column in table.columns])
    return f"escalations-{name}-{date_from.isoformat()}-{date_to.isoformat()}.csv", out.getvalue()
