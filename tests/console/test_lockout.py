"""A locked-out login gets the console's page with the time left and what to do; a supervisor unlocks it."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from callbot_site.lockout import duration_text, lockout_response, unlock_login
from core.errors import InvalidInput, PermissionRefused
from tests.accounts.two_factor_factories import force_login
from tests.handoff.factories import PASSWORD, AgentFactory, SupervisorFactory

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
ATTEMPTS = "/admin/axes/accessattempt/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def _lock_out(username):
    client = Client()
    for _ in range(5):
        response = _login(client, username, "wrong-password")
    return client, response


def test_the_lockout_page_says_how_long_and_what_to_do():
    AgentFactory(username="alice")
    client, response = _lock_out("alice")
    assert response.status_code == 429
    page = response.content.decode()
    assert 'id="cb-lockout"' in page and "console/console.css" in page  # the console's look
    assert "After 5 failed attempts for <strong>alice</strong>" in page
    assert 'id="cb-lockout-remaining">1 h</strong>' in page  # AXES_COOLOFF_TIME, counted from the last failure
    assert "ask a supervisor to unlock you" in page and reverse("admin:login") in page
    assert "each try while locked starts that wait again" in page
    # Still locked with the right password (a try while locked counts as a failure: the hour starts again).
    assert 'id="cb-lockout-remaining">1 h</strong>' in _login(client, "alice", PASSWORD).content.decode()


def test_the_time_left_counts_from_the_last_failure():
    AgentFactory(username="alice")
    _lock_out("alice")
    AccessAttempt.objects.filter(username="alice").update(attempt_time=timezone.now() - datetime.timedelta(minutes=25))
    request = RequestFactory().post(LOGIN, {"username": "alice"}, REMOTE_ADDR="127.0.0.1")
    request.user = AnonymousUser()
    response = lockout_response(request, None, {"username": "alice"})
    assert response.status_code == 429 and 'id="cb-lockout-remaining">35 min</strong>' in response.content.decode()


@pytest.mark.parametrize(
    "minutes, text", [(0.2, "1 min"), (12, "12 min"), (60, "1 h"), (65, "1 h 05 min"), (150.5, "2 h 31 min")]
)
def test_durations_round_up_to_the_minute(minutes, text):
    assert duration_text(datetime.timedelta(minutes=minutes)) == text


def test_a_supervisor_unlocks_with_the_admin_action_and_the_agent_logs_in():
    AgentFactory(username="alice")
    AgentFactory(username="bob")
    client, _ = _lock_out("alice")
    _lock_out("bob")
    supervisor = force_login(Client(), SupervisorFactory(username="sam"))
    listed = supervisor.get(ATTEMPTS, {"locked": "yes"})
    assert listed.status_code == 200
    assert (
        "locked · 1 h left" in listed.content.decode() and "Unlock the selected logins now" in listed.content.decode()
    )
    alice_rows = list(AccessAttempt.objects.filter(username="alice").values_list("pk", flat=True))
    response = supervisor.post(
        ATTEMPTS, {"action": "unlock_selected", "_selected_action": alice_rows, "index": 0}, follow=True
    )
    assert "Unlocked: alice. They may log in again now." in response.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bob"]  # only the chosen login
    assert _login(client, "alice", PASSWORD).status_code == 302
    assert _login(Client(), "bob", PASSWORD).status_code == 429


def test_agents_neither_see_the_lockouts_nor_unlock():
    alice = AgentFactory(username="alice")
    _lock_out("bob")
    agent = force_login(Client(), alice)
    response = agent.get(ATTEMPTS)
    assert response.status_code == 403 and 'id="cb-forbidden"' in response.content.decode()
    with pytest.raises(PermissionRefused):
        unlock_login(username="bob", ip_address="127.0.0.1", actor=alice)
    assert AccessAttempt.objects.filter(username="bob").exists()


def test_an_unlock_without_a_username_never_clears_every_lockout():
    _lock_out("bob")
    with pytest.raises(InvalidInput):
        unlock_login(username="", ip_address=None, actor=SupervisorFactory(username="sam"))
    assert AccessAttempt.objects.filter(username="bob").exists()
