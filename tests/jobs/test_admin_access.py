"""Who sees the background jobs in the admin: supervisors may look (a failed job is theirs to notice), agents not."""

import pytest
from django.test import Client

from tests.accounts.two_factor_factories import force_login

JOBS = "/admin/procrastinate/procrastinatejob/"


@pytest.mark.django_db
def test_a_supervisor_sees_the_jobs_and_cannot_change_them(supervisor):
    client = Client()
    force_login(client, supervisor)

    assert client.get(JOBS).status_code == 200
    assert not supervisor.has_perm("procrastinate.change_procrastinatejob")


@pytest.mark.django_db
def test_an_agent_does_not_see_the_jobs(agent):
    client = Client()
    force_login(client, agent)

    assert client.get(JOBS).status_code == 403
