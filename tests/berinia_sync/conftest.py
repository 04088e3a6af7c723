"""Fixtures for Berinia's campaigns and niches, and cleaning of Berinia after transactional tests.

Berinia's tables are loaded into the test `berinia` database once per session by tests/conftest.py
(see tests/berinia_sync/schema.py), so that every app's tests (e.g. the API's schemathesis run) have them.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

BERINIA_TABLES = "leads, campaigns, niches, contact_history, messages, meetings, invoices, users"
BERINIA_DB = ["default", "berinia"]


def run_export(*args) -> tuple[int, str]:
    """`manage.py export_leads ARGS`: (exit status, standard output)."""
    out = StringIO()
    try:
        call_command("export_leads", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


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
