"""Two-factor authentication of the console: required for supervisors and superusers, optional for agents."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.accounts.two_factor_factories import TOTPDeviceFactory
from tests.handoff.factories import PASSWORD, AgentFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/handoff/handoffticket/"
VERIFY, SETUP = "/admin/two-factor/verify/", "/admin/two-factor/"


def _password_login(user) -> Client:
    client = Client()
    response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD, "next": QUEUE})
    assert response.status_code == 302, "the password step itself succeeds"
    return client


def test_a_supervisor_with_a_password_only_reaches_no_admin_page():
    supervisor = SupervisorFactory(username="sam")
    TOTPDeviceFactory(user=supervisor)
    client = _password_login(supervisor)

    for url in ("/admin/", QUEUE, "/admin/analytics/dashboard/", "/admin/auth/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{VERIFY}?next={url}"
    assert client.get(SETUP)["Location"].startswith(VERIFY), "no new enrolment on a password alone"
    api = client.get("/api/v1/tickets/")
    assert api.status_code == 403 and api.json()["type"] == "permission_denied"


def test_the_right_code_opens_the_console_and_a_wrong_one_does_not():
    supervisor = SupervisorFactory(username="sam")
    device = TOTPDeviceFactory(user=supervisor)
    client = _password_login(supervisor)

    wrong = client.post(VERIFY, {"code": f"{(int(two_factor.current_code(device)) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200 and "Wrong or already used code" in wrong.content.decode()
    assert client.get(QUEUE).status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # skip the 1 s back-off

    right = client.post(f"{VERIFY}?next={QUEUE}", {"code": two_factor.current_code(device)})

    assert right.status_code == 302 and right["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_totp_code_works_once():
    supervisor = SupervisorFactory(username="sam")
    device = TOTPDeviceFactory(user=supervisor)
    code = two_factor.current_code(device)
    assert _password_login(supervisor).post(VERIFY, {"code": code}).status_code == 302

    replayed = _password_login(supervisor)
    assert replayed.post(VERIFY, {"code": code}).status_code == 200
    assert replayed.get(QUEUE).status_code == 302


def test_a_recovery_code_works_once():
    supervisor = SupervisorFactory(username="sam")
    TOTPDeviceFactory(user=supervisor)
    codes = two_factor.replace_recovery_codes(user=supervisor)
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == len(set(codes))

    first = _password_login(supervisor)
    assert first.post(VERIFY, {"code": codes[3].upper()}).status_code == 302  # case and dash do not matter
    assert first.get(QUEUE).status_code == 200
    assert two_factor.recovery_codes_left(supervisor) == 9

    again = _password_login(supervisor)
    assert again.post(VERIFY, {"code": codes[3]}).status_code == 200
    assert again.get(QUEUE).status_code == 302


def test_an_agent_without_a_device_logs_in_with_a_password():
    agent = AgentFactory(username="alice")
    client = _password_login(agent)

    assert client.get(QUEUE).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_an_agent_who_enrolled_must_give_the_code():
    agent = AgentFactory(username="alice")
    device = TOTPDeviceFactory(user=agent)
    client = _password_login(agent)

    assert client.get(QUEUE)["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": two_factor.current_code(device)}).status_code == 302
    assert client.get(QUEUE).status_code == 200


def test_a_superuser_without_a_device_must_enrol_and_gets_recovery_codes_once():
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = _password_login(admin)
    assert client.get("/admin/")["Location"] == f"{SETUP}?next=/admin/"

    page = client.get(f"{SETUP}?next=/admin/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    html = page.content.decode()
    assert "otpauth://totp/Callbot%20console%3Aroot?secret=" in html
    assert two_factor.base32_secret(device) in html and "<svg" in html  # QR drawn here, no outside service
    assert client.get("/admin/").status_code == 302, "not before the first code"

    confirmed = client.post(f"{SETUP}?next=/admin/", {"code": two_factor.current_code(device)})
    assert confirmed["Location"] == "/admin/two-factor/recovery-codes/?next=%2Fadmin%2F"
    shown = client.get(confirmed["Location"])
    codes = shown.context["codes"]
    assert len(codes) == 10 and all(code in shown.content.decode() for code in codes)
    assert client.get(confirmed["Location"])["Location"] == SETUP, "shown once"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed and two_factor.recovery_codes_left(admin) == 10


def test_an_agent_may_enrol_from_the_console():
    agent = AgentFactory(username="alice")
    client = _password_login(agent)
    assert 'id="cb-two-factor"' in client.get("/admin/").content.decode()
    assert "Optional for agents" in client.get(SETUP).content.decode()

    device = TOTPDevice.objects.get(user=agent)
    wrong = client.post(SETUP, {"code": "000000" if two_factor.current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "does not match" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert client.post(SETUP, {"code": two_factor.current_code(device)}).status_code == 302
    assert two_factor.has_device(agent)
    assert "is <strong>on</strong>" in client.get(SETUP).content.decode()


def test_the_code_step_never_redirects_off_site():
    supervisor = SupervisorFactory(username="sam")
    device = TOTPDeviceFactory(user=supervisor)
    client = _password_login(supervisor)

    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": two_factor.current_code(device)})

    assert response["Location"] == "/admin/"


def test_api_tokens_are_unaffected(supervisor):
    from tests.api.conftest import token_client

    assert token_client(supervisor).get("/api/v1/tickets/").status_code == 200


def test_the_demo_supervisor_signs_in_with_the_published_demo_key():
    import base64
    import io

    from django.core.management import call_command

    from callbot_site import demo

    call_command("load_demo_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_totp", "supervisor", stdout=out)
    device = TOTPDevice.objects.get(user__username="supervisor", confirmed=True)
    assert base64.b32encode(device.bin_key).decode() == "MNQWY3DCN52C2ZDFNVXS25DPORYC2MBR" == demo_key()
    client = Client()
    client.post(reverse("admin:login"), {"username": "supervisor", "password": "demo-supervisor-pass"})
    assert client.get(QUEUE)["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": out.getvalue().strip()}).status_code == 302
    assert client.get(QUEUE).status_code == 200
    assert demo.ensure_demo_totp_device().pk == device.pk, "loading again keeps one device"


def demo_key() -> str:
    from base64 import b32encode

    from callbot_site.demo import DEMO_TOTP_SECRET_HEX

    return b32encode(bytes.fromhex(DEMO_TOTP_SECRET_HEX)).decode()
