"""Browser tests: Playwright driving Debian's Chromium (never a browser download).

Skipped, with the reason printed, when /usr/bin/chromium is missing (scripts/install_chromium.sh
installs it where the machine allows). Screenshots go to artifacts/screenshots/ (git-ignored).
"""

import os
import time
from pathlib import Path

import pytest
from django.db import connection

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
def live_requests_done_before_flush(request):
    """After the page is closed, wait for the requests it left running in the live server, then let the test
    database be flushed. A console page polls (live.js): the flush's TRUNCATE of every table, with a poll
    still reading some of them, is a deadlock that fails the flush and leaves the worker's database dirty."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed last
    yield
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


@pytest.fixture(autouse=True)
def csp_violations(request, live_requests_done_before_flush):
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
