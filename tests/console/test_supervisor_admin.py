"""The demo supervisor reaches the Berinia export in the admin (README, "Exporting leads to Berinia"); a page
the user may not see is the console's styled 403 with a way back, never Django's bare one."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from berinia_sync.models import ExportRecord
from callbot_site.demo import DEMO_ACCOUNTS, ensure_demo_accounts
from tests.accounts.two_factor_factories import force_login
from tests.berinia_sync.factories import ExportRunFactory, FieldMappingFactory
from tests.handoff.factories import AgentFactory

pytestmark = pytest.mark.django_db
BERINIA_PAGES = ["/admin/berinia_sync/", "/admin/berinia_sync/exportrun/", "/admin/berinia_sync/exportrecord/"]


@pytest.fixture
def demo_supervisor():
    ensure_demo_accounts()
    username = next(name for name, _, supervisor in DEMO_ACCOUNTS if supervisor)
    return force_login(Client(), get_user_model().objects.get(username=username))


@pytest.fixture
def run():
    run = ExportRunFactory(status="finished", received=2, rejected=1)
    ExportRecord.objects.create(run=run, position=1, infra_id="lead-1", outcome="rejected", reason="no phone")
    FieldMappingFactory(source_field="rating")
    return run


def test_the_demo_supervisor_sees_runs_records_and_mappings(demo_supervisor, run):
    index = demo_supervisor.get("/admin/").content.decode()
    assert "Berinia sync" in index and "/admin/berinia_sync/exportrun/" in index
    for url in BERINIA_PAGES:
        assert demo_supervisor.get(url).status_code == 200, url
    assert (
        f"/admin/berinia_sync/exportrecord/?run__id__exact={run.pk}"
        in demo_supervisor.get(f"/admin/berinia_sync/exportrun/{run.pk}/change/").content.decode()
    )
    assert "lead-1" in demo_supervisor.get("/admin/berinia_sync/exportrecord/").content.decode()
    mappings = demo_supervisor.get("/admin/berinia_sync/fieldmapping/")
    assert mappings.status_code == 200 and "rating" in mappings.content.decode()


def test_the_supervisor_only_views_the_export(demo_supervisor, run):
    mapping = FieldMappingFactory(source_field="stars")
    page = demo_supervisor.get(f"/admin/berinia_sync/fieldmapping/{mapping.pk}/change/").content.decode()
    assert 'name="target"' not in page  # read-only: the mapping is the deployment's configuration
    assert demo_supervisor.get("/admin/berinia_sync/fieldmapping/add/").status_code == 403


def test_an_agent_gets_the_styled_403_with_a_way_back(run):
    agent = force_login(Client(), AgentFactory(username="alice"))
    response = agent.get("/admin/berinia_sync/exportrun/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="cb-forbidden"' in page and "console/console.css" in page
    assert 'href="/admin/"' in page and "Back to the console" in page and "Log out" in page
