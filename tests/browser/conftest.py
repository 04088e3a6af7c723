"""Browser tests: Playwright driving Debian's Chromium (never a browser download).

Skipped, with the reason printed, when /usr/bin/chromium is missing (scripts/install_chromium.sh
installs it where the machine allows). Screenshots go to artifacts/screenshots/ (git-ignored).
"""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import keep_csp_message

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# live_server runs Django in a thread while Playwright's sync API holds an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: run scripts/install_chromium.sh (needs root and apt-get)"
    print(f"\nbrowser tests skipped: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1680, "height": 1000}}


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def csp_violations(request):
    """Every Content-Security-Policy violation the page reports (console messages and DOM events).

    The pages run under the production policy (callbot_site/settings/base.py): a test that opens a
    page fails if the browser blocked anything on it. `assert_no_csp_violation(page)` checks mid-test.
    """
    if "page" not in request.fixturenames:
        yield []
        return
    page = request.getfixturevalue("page")
    violations: list[str] = []
    page.on("console", lambda message: keep_csp_message(violations, message.text))
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`"
        " + ` on ${document.location.pathname}`));"
    )
    yield violations
    assert violations == [], f"Content-Security-Policy violations: {violations}"
