"""Console users for the scenarios: agents without a capacity limit, and a supervisor."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import AGENTS_GROUP, SUPERVISORS_GROUP
from handoff.models import AgentProfile, Queue

QUEUES = ["general", "claims", "billing"]
UNLIMITED = 1_000_000


def agents(count: int) -> list:
    """Agents whose capacity never stops a claim: the benchmark measures claiming, not the limit."""
    group = Group.objects.get(name=AGENTS_GROUP)
    users = []
    for i in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-agent-{i}", defaults={"is_staff": True})
        user.groups.add(group)
        AgentProfile.objects.update_or_create(user=user, defaults={"max_open_tickets": UNLIMITED})
        users.append(user)
    return users


def supervisor():
    user, _ = get_user_model().objects.get_or_create(username="bench-supervisor", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=SUPERVISORS_GROUP))
    return user


def console_client(user) -> Client:
    """A logged-in console session that has passed the second factor, as a supervisor's must.

    The session is marked verified with the user's TOTP device, as a typed code would: the scenario
    measures the console's pages, not the login.
    """
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": "bench", "confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def queues() -> list[str]:
    for name in QUEUES:
        Queue.objects.get_or_create(name=name)
    return QUEUES
