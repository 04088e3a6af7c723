"""Writes and operations of the analytics app, one module per concern.

- metrics:   compute_daily_metrics (analytics_metrics, read by v_daily_metrics)
- retention: purge_old_data (the 90-day clean-up)
- erasure:   erase_customer (right to erasure)
- backups:   backup_db / restore_db (pg_dump / pg_restore), pg_tools finds matching binaries
"""

from .backups import backup_db, restore_db
from .erasure import erase_customer
from .metrics import compute_daily_metrics
from .retention import purge_old_data

__all__ = ["backup_db", "compute_daily_metrics", "erase_customer", "purge_old_data", "restore_db"]
