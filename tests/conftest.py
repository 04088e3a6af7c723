"""Fixtures shared by the whole suite: people of the console."""

import importlib

import pytest
from django.apps import apps

from tests.accounts.two_factor_factories import force_login
from tests.handoff.factories import AgentFactory, SupervisorFactory

# Data migrations whose rows (role groups, resolution reasons) tests rely on. A transactional test
# flushes every table when it ends, so the transactional tests that follow it run them again.
ROLE_DATA_MIGRATIONS = [
    "handoff.migrations.0003_groups_and_reasons",
    "callbot_site.migrations.0002_bots_group",
    "callbot_site.migrations.0004_supervisors_see_jobs",
    "callbot_site.migrations.0005_supervisors_edit_action_rules",
    "crm.migrations.0004_approval_rules_and_cascades",
    "callbot_site.migrations.0006_job_failures",
]


@pytest.fixture(autouse=True)
def _role_data_after_flushes(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    for module in ROLE_DATA_MIGRATIONS:
        importlib.import_module(module).forwards(apps, None)


@pytest.fixture
def agent(db):
    return AgentFactory(username="alice")


@pytest.fixture
def other_agent(db):
    return AgentFactory(username="bob")


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(username="sam")


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the second factor that superusers must give."""
    return force_login(client, admin_user)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test `berinia` database is created empty (nothing migrates there): give it Berinia's tables once."""
    from tests.berinia_sync.schema import load_berinia_schema

    with django_db_blocker.unblock():
        load_berinia_schema()
    yield
