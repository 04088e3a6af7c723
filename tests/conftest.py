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
    "callbot_site.migrations.0007_supervisors_see_berinia_sync",
    "handoff.migrations.0008_default_queue_and_actor_index",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The slowest tests first (marker `slow`, after pytest-django's own ordering): under pytest-xdist their
    file starts at once on a worker of its own while the other workers share the rest of the suite."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # a stable sort: nothing else moves


# Under pytest-xdist (`--dist loadfile`) a file's tests run on one worker, as they may share module fixtures
# (servers, PgBouncer). These files share none, and each is minutes of work: their tests go to any free worker.
SPREAD_FILES = ("tests/api/test_schemathesis.py",)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SpreadingFileScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return nodeid if path in SPREAD_FILES else path

    return SpreadingFileScheduling(config, log)


def _flushes(item) -> bool:
    """A transactional test (marker, transactional_db or live_server) empties every table when it ends."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put the role data back right after a flush, so whatever runs next finds it.

    pytest-django runs transactional tests last, but under pytest-xdist a worker may run ordinary tests
    after a transactional one (whole files go to one worker): they need the groups and reasons too.
    """
    flushes = _flushes(item)
    result = yield
    # After the run's last test the session's fixtures are gone too: the test databases are dropped and the
    # connection points at the configured database again, which must never be written to.
    if flushes and nextitem is not None:
        from django.contrib.contenttypes.models import ContentType
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            ContentType.objects.clear_cache()  # the flush made new rows with new ids
            for module in ROLE_DATA_MIGRATIONS:
                importlib.import_module(module).forwards(apps, None)
    return result


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
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    """pytest-django's, with each worker's databases cloned from a migrated template (tests/database_templates.py)
    rather than migrated: one migration per change of the migrations instead of one per worker and run."""
    from tests.database_templates import create_test_databases, drop_test_databases

    with django_db_blocker.unblock():
        originals = create_test_databases()
    yield
    with django_db_blocker.unblock():
        drop_test_databases(originals)
