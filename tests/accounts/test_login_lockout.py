"""django-axes locks a username on the address the failures came from, never everywhere.

The client address comes from X-Forwarded-For only when the connection is from a trusted proxy
(TRUSTED_PROXIES, callbot_site/client_ip.py); otherwise the header is the client's say-so and ignored.
"""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings

from callbot_site.client_ip import client_ip
from tests.handoff.factories import PASSWORD, AgentFactory

LOGIN = "/admin/login/"
BALANCER = "10.0.0.2"
A, B = "203.0.113.5", "198.51.100.7"

pytestmark = pytest.mark.django_db


def _login(username, password, **meta):
    return Client().post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **meta)


def _fail_five_times(username, **meta):
    for _ in range(5):
        response = _login(username, "wrong-password", **meta)
    return response


def _is_logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_failures_from_one_address_behind_the_balancer_do_not_lock_the_user_out_elsewhere():
    AgentFactory(username="victim1")

    locked = _fail_five_times("victim1", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=A)

    assert locked.status_code == 429
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("victim1", A)]
    assert _login("victim1", PASSWORD, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=A).status_code == 429
    assert _is_logged_in(_login("victim1", PASSWORD, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=B))


def test_failures_from_one_direct_address_do_not_lock_the_user_out_elsewhere():
    AgentFactory(username="victim1")

    assert _fail_five_times("victim1", REMOTE_ADDR=A).status_code == 429

    assert _login("victim1", PASSWORD, REMOTE_ADDR=A).status_code == 429
    assert _is_logged_in(_login("victim1", PASSWORD, REMOTE_ADDR=B))


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_a_forwarded_for_header_from_an_untrusted_address_is_ignored():
    AgentFactory(username="victim1")

    # The attacker at A claims a new address on each try: the failures still count against A.
    for fake in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        response = _login("victim1", "wrong-password", REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR=fake)

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {A}
    assert _login("victim1", PASSWORD, REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR=B).status_code == 429


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], BALANCER, A, BALANCER),  # no trusted proxy configured: the header is never read
        (["10.0.0.0/24"], BALANCER, A, A),
        (["10.0.0.0/24"], BALANCER, f"{B}, {A}", A),  # B was written by the client, A by the balancer
        (["10.0.0.0/24"], BALANCER, f"{A}, 10.0.0.9", A),  # a second trusted hop is skipped
        (["10.0.0.0/24"], BALANCER, "", BALANCER),
        (["10.0.0.0/24"], BALANCER, "not-an-address", BALANCER),
        (["10.0.0.0/24"], A, B, A),  # untrusted peer: its header is ignored
        (["10.0.0.2"], BALANCER, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(trusted, remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXIES=trusted):
        assert client_ip(request) == expected


def test_a_malformed_trusted_proxy_is_a_configuration_error():
    request = RequestFactory().get("/", REMOTE_ADDR=BALANCER)
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/33"]), pytest.raises(ImproperlyConfigured):
        client_ip(request)
