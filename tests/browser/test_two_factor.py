"""A supervisor signs in with a TOTP code in a real browser; one without a device enrols first.

Also: the API docs (Swagger UI, Redoc) still render under the Content-Security-Policy, from this origin only.
"""

import base64
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp

from tests.accounts.two_factor_factories import TOTPDeviceFactory
from tests.browser.helpers import assert_no_csp_violation, log_in
from tests.handoff.factories import PASSWORD, AgentFactory, SupervisorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_a_supervisor_needs_the_code_of_their_app(page, live_server, screenshot_dir):
    supervisor = SupervisorFactory(username="supervisor")
    device = TOTPDeviceFactory(user=supervisor)
    _password(page, live_server, "supervisor")
    assert "/admin/two-factor/verify/" in page.url
    page.goto(f"{live_server.url}/admin/handoff/handoffticket/")
    assert "/admin/two-factor/verify/" in page.url, "the queue stays out of reach"
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "two_factor_code_step.png", full_page=True)

    page.fill("#id_code", "000000" if _code(device.bin_key) != "000000" else "111111")
    page.click("#cb-otp-submit")
    assert "Wrong or already used code" in page.inner_text("#cb-otp-error")

    page.wait_for_timeout(1100)  # django-otp's back-off after one wrong code: 1 s
    page.fill("#id_code", _code(device.bin_key))
    page.click("#cb-otp-submit")
    page.wait_for_selector("#cb-queue-board")
    assert urlsplit(page.url).path == "/admin/handoff/handoffticket/"


def test_a_supervisor_without_a_device_enrols_then_gets_recovery_codes(page, live_server, screenshot_dir):
    SupervisorFactory(username="supervisor")
    _password(page, live_server, "supervisor")
    assert "/admin/two-factor/" in page.url
    secret = page.inner_text("#cb-otp-secret").replace(" ", "")
    assert page.text_content("#cb-otp-uri").startswith("otpauth://totp/Callbot%20console%3Asupervisor?secret=")
    assert page.locator("#cb-qr svg").count() == 1
    assert_no_csp_violation(page)
    page.screenshot(path=screenshot_dir / "two_factor_enrolment.png", full_page=True)

    page.fill("#id_code", _code(base64.b32decode(secret + "=" * (-len(secret) % 8))))
    page.click("#cb-otp-submit")
    page.wait_for_selector("#cb-recovery-codes")
    assert page.locator("#cb-recovery-codes li").count() == 10
    page.screenshot(path=screenshot_dir / "two_factor_recovery_codes.png", full_page=True)
    page.click("#cb-continue")
    page.wait_for_selector("#cb-console-home")


def test_the_api_docs_render_under_the_policy_from_this_origin_only(page, live_server, csp_violations):
    AgentFactory(username="agent1")
    log_in(page, live_server, "agent1", PASSWORD)
    requested = []
    page.on("requestfinished", lambda request: requested.append(request.url))  # blocked ones never finish

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Callbot back-office API" in page.inner_text(".swagger-ui .info .title")
    assert_no_csp_violation(page)

    page.goto(f"{live_server.url}/api/v1/redoc/")
    page.wait_for_selector("redoc h1")
    assert "Callbot back-office API" in page.inner_text("redoc h1")
    # Redoc's "API docs by Redocly" badge is an image on its CDN: the policy stops that request, and
    # nothing else is blocked (scripts, styles and the schema all come from this origin).
    blocked = page.evaluate("window.__cspViolations")
    assert blocked == ["img-src blocked https://cdn.redoc.ly/redoc/logo-mini.svg on /api/v1/redoc/"]
    assert [text for text in csp_violations if "cdn.redoc.ly" not in text] == []
    csp_violations.clear()
    outside = [url for url in requested if not url.startswith((live_server.url, "data:", "blob:"))]
    assert outside == []


def _code(key: bytes) -> str:
    return f"{totp(key):06d}"
