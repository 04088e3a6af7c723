"""The seed's "récupération de feedback": read back Berinia's current status of the leads we exported."""

from dataclasses import dataclass

from django.db import connections

from ..models import ExportRecord, Outcome
from .connection import berinia_cursor

MISSING = "missing_in_berinia"  # the lead was deleted on Berinia's side


@dataclass
class SyncResult:
    checked: int = 0  # distinct Berinia leads looked at
    changed: int = 0  # export records whose status changed
    missing: int = 0  # leads no longer in Berinia


def sync_lead_status(*, chunk_size: int = 5000) -> SyncResult:
    """Copy each exported lead's current Berinia status onto its export records, chunk by chunk (keyset)."""
    result = SyncResult()
    last_id = 0
    exported = ExportRecord.objects.exclude(outcome=Outcome.REJECTED).filter(berinia_lead_id__isnull=False)
    while True:
        ids = list(
            exported.filter(berinia_lead_id__gt=last_id)
            .order_by("berinia_lead_id")
            .values_list("berinia_lead_id", flat=True)
            .distinct()[:chunk_size]
        )
        if not ids:
            return result
        last_id = ids[-1]
        with berinia_cursor() as cursor:
            cursor.execute("SELECT id, COALESCE(status, '') FROM leads WHERE id = ANY(%s)", [ids])
            statuses = dict(cursor.fetchall())
        result.checked += len(ids)
        result.missing += len(ids) - len(statuses)
        result.changed += _store_statuses({lead_id: statuses.get(lead_id, MISSING) for lead_id in ids})


def _store_statuses(statuses: dict[int, str]) -> int:
    table = ExportRecord._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} r SET berinia_status = v.status, status_synced_at = now() "
            "FROM unnest(%s::integer[], %s::text[]) AS v(id, status) "
            "WHERE r.berinia_lead_id = v.id AND r.outcome <> 'rejected' AND r.berinia_status IS DISTINCT FROM v.status",
            [list(statuses), [status[:50] for status in statuses.values()]],
        )
        return cursor.rowcount
