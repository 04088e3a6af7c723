"""Berinia's tables for the test `berinia` database (pytest-django creates it empty: nothing migrates there)."""

from pathlib import Path

from django.db import connections

SCHEMA = Path(__file__).resolve().parents[2] / "berinia_sync" / "berinia_schema.sql"


def load_berinia_schema() -> None:
    """Load our copy of Berinia's schema-only dump, once (a no-op when the tables exist)."""
    with connections["berinia"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.leads')")
        if cursor.fetchone()[0] is None:
            cursor.execute(SCHEMA.read_text())
