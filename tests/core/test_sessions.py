"""Session rows hold a hash of the cookie value (core.sessions), and the session life cycle still works."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from core.sessions import stored_key
from tests.handoff.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_the_table_holds_a_hash_of_the_cookie_and_logout_removes_it():
    client = Client()
    client.force_login(AgentFactory(username="alice"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert list(Session.objects.values_list("session_key", flat=True)) == [stored_key(cookie)]
    assert stored_key(cookie) != cookie and len(stored_key(cookie)) == 40
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")
    assert not Session.objects.exists()


def test_a_login_replaces_the_anonymous_session_row():
    client = Client()
    response = client.get("/admin/login/")  # the CSRF cookie, no session row yet
    assert response.status_code == 200
    client.force_login(AgentFactory(username="bob"))
    first = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.force_login(AgentFactory(username="carol"))  # a new login cycles the key
    second = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert first != second
    assert list(Session.objects.values_list("session_key", flat=True)) == [stored_key(second)]
