"""Content-Security-Policy: on every page, in production too; the API docs work under it from this origin."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.handoff.factories import AgentFactory

ROOT = Path(__file__).resolve().parents[2]
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_the_production_settings_send_the_policy():
    env = {**os.environ, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "console.example.org"}
    env.setdefault("DATABASE_URL", "postgres://u@db.example.org/callbot")
    env.setdefault("BERINIA_DATABASE_URL", "postgres://u@db.example.org/berinia")
    env.setdefault("WEBHOOKS_SIGNING_KEY", "k" * 40)
    code = (
        "import json; from callbot_site.settings import production as p; "
        "print(json.dumps({'middleware': p.MIDDLEWARE, 'policy': {k: [str(v) for v in vs] "
        "for k, vs in p.CONTENT_SECURITY_POLICY['DIRECTIVES'].items()}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    settings = json.loads(out.stdout.strip().splitlines()[-1])
    assert "callbot_site.csp.CSPMiddleware" in settings["middleware"]
    policy = settings["policy"]
    for directive, value in STRICT.items():
        assert policy[directive][0] == value
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.django_db
def test_console_pages_carry_the_strict_policy(client):
    client.force_login(AgentFactory(username="alice"))
    for url in (reverse("admin:login"), "/admin/", "/admin/handoff/handoffticket/", "/admin/analytics/dashboard/"):
        response = client.get(url)
        assert response.status_code in (200, 302)
        assert _policy(response) | STRICT == _policy(response), url
        assert "nonce" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_swagger_ui_gets_a_nonce_for_its_start_up_script_and_loads_assets_from_this_origin(client):
    client.force_login(AgentFactory(username="alice"))

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", _policy(response)["script-src"]).group(1)
    assert f'<script nonce="{nonce}">' in html
    assert "unsafe" not in response["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/") and not url.startswith("//") for url in assets), assets


@pytest.mark.django_db
def test_redoc_may_style_itself_but_loads_from_this_origin_only(client):
    client.force_login(AgentFactory(username="alice"))

    response = client.get("/api/v1/redoc/")

    assert response.status_code == 200
    policy = _policy(response)
    assert policy["style-src"] == "'self' 'unsafe-inline'" and policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    html = response.content.decode()
    assert "googleapis" not in html
    assert all(url.startswith("/") for url in re.findall(r'(?:src|href)="([^"]+)"', html))


def test_the_browsable_api_may_use_style_attributes_only():
    from django.http import HttpResponse
    from django.test import RequestFactory
    from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

    from callbot_site.csp import CSPMiddleware

    def policy_for(renderer):
        def view(request):
            response = HttpResponse("")
            response.accepted_renderer = renderer
            return response

        return _policy(CSPMiddleware(view)(RequestFactory().get("/api/v1/tickets/")))

    browsable = policy_for(BrowsableAPIRenderer())
    assert browsable["style-src-attr"] == "'unsafe-inline'" and browsable["style-src"] == "'self'"
    assert "style-src-attr" not in policy_for(JSONRenderer())


def test_no_template_of_ours_has_an_inline_script_or_style():
    script = r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)[^>]*>"
    inline = re.compile(rf"{script}|<style(?![^>]*nonce=)|\bstyle=")
    offenders = []
    for folder in ("callbot_site", "console", "analytics", "accounts", "handoff", "crm", "interactions"):
        for path in (ROOT / folder).rglob("templates/**/*.html"):
            if path.parts[-2] == "drf_spectacular" and path.name == "redoc.html":
                continue  # Redoc's page: its own relaxed policy (callbot_site/csp.py)
            if inline.search(path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
