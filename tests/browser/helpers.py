"""Helpers of the browser tests: the console's login (with its second factor) and the CSP checks."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor


def keep_csp_message(violations: list[str], text: str) -> None:
    if "Content Security Policy" in text or "Content-Security-Policy" in text:
        violations.append(text)


def assert_no_csp_violation(page) -> None:
    reported = page.evaluate("window.__cspViolations || []")
    assert reported == [], f"Content-Security-Policy violations on {page.url}: {reported}"


def log_in(page, live_server, username: str, password: str) -> None:
    """The console's login: password, then — for supervisors and enrolled agents — the code of their app.

    The code is computed from the device's key in the database, as the person's authenticator app would.
    """
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    if "/admin/two-factor/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_code", two_factor.current_code(device))
        page.click("#cb-otp-submit")
        page.wait_for_load_state()
