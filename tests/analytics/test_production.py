"""Serving in production: check --deploy, required variables, gunicorn + WhiteNoise, health, JSON logs."""

import io
import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter

from callbot_site.logging_filters import RedactSensitiveData
from tests.processes import PRODUCTION_ENV, PYTHON, ROOT, run_manage
from tests.processes import free_port as _free_port
from tests.processes import get as _get
from tests.processes import serving as _serving


def test_check_deploy_reports_nothing_for_the_documented_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("missing", [("SECRET_KEY",), ("ALLOWED_HOSTS", "DATABASE_URL")])
def test_production_refuses_to_start_without_its_variables_and_names_them(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key not in missing}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert f"Production settings need the environment variable(s) {', '.join(missing)}" in result.stderr


def test_a_weak_secret_key_is_reported_by_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "SECRET_KEY": "short"})

    assert result.returncode != 0
    assert "security.W009" in result.stderr


# `make serve` as an operator types it; -o: the test already runs inside the virtualenv, never refresh it.
MAKE_SERVE = [shutil.which("make") or "make", "--no-print-directory", "-o", ".venv/.installed", "serve"]


def _database_url() -> str:
    db = connection.settings_dict
    location = f"/{db['HOST']}" if db["HOST"].startswith("/") else f"{db['HOST']}:{db['PORT'] or 5432}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{location}/{db['NAME']}"


def _server_env(tmp_path: Path, port: int) -> dict:
    """The production environment against the test database, static files collected into tmp_path."""
    return {
        **PRODUCTION_ENV,
        "DATABASE_URL": _database_url(),
        "BERINIA_DATABASE_URL": _database_url(),
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    """gunicorn with the production settings against the test database, static files collected by WhiteNoise."""
    port = _free_port()
    env = _server_env(tmp_path, port)
    collected = run_manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    log = tmp_path / "gunicorn.log"
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "callbot_site.wsgi:application",
        "-c",
        "python:callbot_site.logging_gunicorn",
    ]
    with _serving(command, env, log, port) as base:
        yield base, log


@pytest.fixture
def make_serve(transactional_db, tmp_path):
    """`make serve` (migrate, collectstatic, gunicorn) with a shell that names the local settings."""
    port = _free_port()
    env = {**_server_env(tmp_path, port), "DJANGO_SETTINGS_MODULE": "callbot_site.settings.local"}
    log = tmp_path / "serve.log"
    with _serving(MAKE_SERVE, env, log, port, start_seconds=240) as base:
        yield base, log


def test_gunicorn_serves_health_static_files_and_logs_json(gunicorn):
    base, log = gunicorn

    health = _get(f"{base}/healthz")  # a load balancer's probe: plain http, an IP as Host
    static = _get(f"{base}/static/admin/css/base.css", Host="callbot.example.org", **{"X-Forwarded-Proto": "https"})
    redirect = _get(f"{base}/admin/login/", Host="callbot.example.org")
    unknown_host = _get(f"{base}/admin/login/", Host="evil.example.com", **{"X-Forwarded-Proto": "https"})

    assert health == (200, b'{"status": "ok", "database": "ok"}')
    assert static[0] == 200 and b"body" in static[1]
    assert redirect[0] == 301  # plain http is sent to https
    assert unknown_host[0] == 400
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines and all(json.loads(line) for line in lines)
    assert any("/healthz 200" in json.loads(line)["message"] for line in lines)


def test_make_serve_runs_the_production_settings_debug_off(make_serve):
    base, log = make_serve
    https = {"Host": "callbot.example.org", "X-Forwarded-Proto": "https"}

    health = _get(f"{base}/healthz")
    missing = _get(f"{base}/no/such/page/", **https)
    bad_host = _get(f"{base}/admin/login/", Host="evil.example.com", **{"X-Forwarded-Proto": "https"})
    plain_http = _get(f"{base}/admin/login/", Host="callbot.example.org")

    assert health == (200, b'{"status": "ok", "database": "ok"}')
    assert missing[0] == 404 and len(missing[1]) < 2000, missing
    assert bad_host[0] == 400  # a refused Host is an error page: with DEBUG on it would list the settings
    assert plain_http[0] == 301  # production's https redirect
    for _, body in (missing, bad_host):
        for leak in ("URLconf", "Traceback", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", PRODUCTION_ENV["SECRET_KEY"]):
            assert leak.encode() not in body, (leak, body[:300])


def test_make_serve_refuses_to_start_without_secret_key_and_allowed_hosts():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}

    result = subprocess.run(MAKE_SERVE, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode != 0
    [message] = [line for line in result.stderr.splitlines() if "Production settings need" in line]
    assert "environment variable(s) SECRET_KEY, ALLOWED_HOSTS (" in message
    assert "Traceback" not in result.stderr
    assert "Operations to perform" not in result.stdout  # refused before migrate, collectstatic, gunicorn


def test_other_make_targets_keep_the_local_settings():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    show = "show-settings: ; @echo $$DJANGO_SETTINGS_MODULE"

    result = subprocess.run(
        [*MAKE_SERVE[:-1], "--eval", show, "show-settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip() == "callbot_site.settings.local", result.stderr


def _formatted(record_factory) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSensitiveData())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        record_factory(logger)
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    return json.loads(line)


def test_logs_never_contain_credentials_or_customer_texts():
    token = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"

    entry = _formatted(
        lambda logger: logger.warning(
            "Call failed for %s with Authorization: Token %s, db postgres://callbot:s3cret@db/callbot password=hunter2",
            "CUST-1",
            token,
            extra={"message_text": "I live at 3 rue Haute", "input_data": {"iban": "FR76"}, "status_code": 500},
        )
    )

    text = json.dumps(entry)
    for secret in (token, "s3cret", "hunter2", "rue Haute", "FR76"):
        assert secret not in text
    assert entry["message_text"] == "[redacted]"
    assert entry["status_code"] == 500
    assert "CUST-1" in entry["message"]


def test_logged_requests_keep_method_and_path_only(rf):
    request = rf.get("/api/v1/customers/", {"search": "ada@example.org"})

    entry = _formatted(lambda logger: logger.error("Bad Request: /api/v1/customers/", extra={"request": request}))

    assert entry["request"] == "GET /api/v1/customers/"
    assert "ada@example.org" not in json.dumps(entry)


def test_tracebacks_are_redacted_too():
    def log_exception(logger):
        try:
            raise RuntimeError("connect to postgres://callbot:s3cret@db/callbot failed")
        except RuntimeError:
            logger.exception("Database down")

    entry = _formatted(log_exception)

    assert "s3cret" not in json.dumps(entry)
    assert "RuntimeError" in json.dumps(entry)


@override_settings(ALLOWED_HOSTS=["callbot.example.org"], SECURE_SSL_REDIRECT=True)
def test_health_middleware_answers_probes_before_host_checks_and_redirects(client, db):
    with override_settings(MIDDLEWARE=["callbot_site.health.HealthCheckMiddleware", *settings.MIDDLEWARE]):
        probe = client.get("/healthz", HTTP_HOST="10.0.0.7")
        other = client.get("/admin/", HTTP_HOST="10.0.0.7")

    assert probe.status_code == 200 and probe.json() == {"status": "ok", "database": "ok"}
    assert other.status_code == 400
