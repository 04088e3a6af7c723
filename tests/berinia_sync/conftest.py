"""Berinia's tables in the test `berinia` database, and fixtures for campaigns, niches and leads.

pytest-django creates test_berinia<suffix> empty (the router never migrates there); the session fixture
loads berinia_sync/berinia_schema.sql (our copy of Berinia's schema-only dump) into it once.
"""

from pathlib import Path

import pytest
from django.db import connections

SCHEMA = Path(__file__).resolve().parents[2] / "berinia_sync" / "berinia_schema.sql"
BERINIA_TABLES = "leads, campaigns, niches, contact_history, messages, meetings, invoices, users"
BERINIA_DB = ["default", "berinia"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), connections["berinia"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.leads')")
        if cursor.fetchone()[0] is None:
            cursor.execute(SCHEMA.read_text())
    yield


@pytest.fixture(autouse=True)
def empty_berinia(request, django_db_blocker):
    """Transactional tests commit into Berinia and Django's flush never touches unmanaged tables: empty them."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction") and "berinia" in (marker.kwargs.get("databases") or []):
        with django_db_blocker.unblock(), connections["berinia"].cursor() as cursor:
            cursor.execute(f"TRUNCATE {BERINIA_TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture
def niche(db):
    from tests.berinia_sync.factories import NicheFactory

    return NicheFactory(name="restaurant")


@pytest.fixture
def campaign(niche):
    from tests.berinia_sync.factories import CampaignFactory

    return CampaignFactory(name="Test campaign", niche=niche)
