"""Bot turn: POST /api/v1/turns/ under gunicorn with 8 concurrent clients, next to a bare DRF create.

Both endpoints run in the same gunicorn (bench settings, sync workers) against the same database,
with the same token, one after the other in each run; wrk reports requests/s and p99 latency.
A request that does not answer 2xx makes the scenario fail instead of producing a figure.
"""

import io
import json
import urllib.error
import urllib.request

from django.core.management import call_command

from bench import features
from bench.loadgen import INSTALL_HINT, find_wrk, gunicorn_server, post_load, worker_count
from bench.report import NOT_BUILT, Figure, ScenarioResult
from bench.urls import BASELINE_PATH

NAME = "bot turn"
TURNS_PATH = "/api/v1/turns/"
PRODUCT = "POST turns/"
BASELINE = "bare DRF create"
CUSTOMER_ID = "BENCH-CUST-1"
WARM_UP_SECONDS = 1

BARE_BODY = {"customer_id": CUSTOMER_ID, "channel": "phone", "intent": "address_change", "urgency": "low"}
TURN_BODY = {
    "interaction": {
        "customer_id": CUSTOMER_ID,
        "channel": "phone",
        "intent": "address_change",
        "emotion": "calm",
        "urgency": "low",
        "confidence_score": 0.92,
    },
    "message": {"speaker": "customer", "message": "Bonjour, je voudrais changer mon adresse."},
    # Not a gated type: update_address needs an approved proposal (crm.ActionRule), which a first turn cannot
    # carry. The turn still reads the type's approval rule, as every CRM action does.
    "crm_action": {
        "action_type": "check_policy_status",
        "input_data": {"street": "12 rue de Buci", "city": "Paris"},
        "output_data": {"updated": True},
        "success": True,
        "execution_time_ms": 120,
    },
    "response": {
        "response_text": "C'est fait : votre adresse est à jour.",
        "tone": "professional",
        "confidence_score": 0.9,
        "execution_time_ms": 450,
        "model_used": "gpt-4o",
    },
}


def run(ctx) -> ScenarioResult:
    wrk = find_wrk(may_install=not ctx.smoke)
    if wrk is None:
        return ScenarioResult(NAME, status="skipped", note=INSTALL_HINT)
    built = features.url_exists(TURNS_PATH)
    token = _token()
    _customer()
    product = Figure(PRODUCT, "req/s", baseline=BASELINE, goal="≥ 0.6× baseline")
    product_p99 = Figure(f"{PRODUCT} p99", "ms", baseline=f"{BASELINE} p99", goal="≤ 1.5× baseline p99")
    baseline, baseline_p99 = Figure(BASELINE, "req/s"), Figure(f"{BASELINE} p99", "ms")
    jobs = [(baseline, baseline_p99, BASELINE_PATH, BARE_BODY)]
    if built:
        jobs.append((product, product_p99, TURNS_PATH, TURN_BODY))
    else:
        product.status = product_p99.status = NOT_BUILT
    with gunicorn_server(ctx.dbs.urls) as base:
        for _figure, _p99, path, body in jobs:
            _probe(base + path, body, token)
            post_load(
                wrk, base + path, body=body, token=token, seconds=WARM_UP_SECONDS, connections=8, workdir=ctx.workdir
            )
        for _ in range(ctx.sizes.runs):
            for figure, p99, path, body in jobs:
                load = post_load(
                    wrk,
                    base + path,
                    body=body,
                    token=token,
                    seconds=ctx.sizes.http_seconds,
                    connections=ctx.sizes.http_connections,
                    workdir=ctx.workdir,
                )
                if load.non_2xx or load.socket_errors:
                    raise RuntimeError(f"{path}: {load.non_2xx} non-2xx answers, {load.socket_errors} socket errors")
                figure.values.append(load.requests_per_second)
                p99.values.append(load.p99_ms)
    s = ctx.sizes
    baseline.note = f"{s.http_connections} connections, {s.http_seconds} s, {worker_count()} sync workers"
    result = ScenarioResult(NAME, [product, product_p99, baseline, baseline_p99])
    if built:
        product.met = result.ratio(product) >= 0.6
        product_p99.met = result.ratio(product_p99) <= 1.5
    return result


def _token() -> str:
    """A bot client's new token from `create_api_client` (--rotate: the bot may exist from an earlier run)."""
    out = io.StringIO()
    call_command("create_api_client", "bench-bot", "--rotate", stdout=out)
    return out.getvalue().strip().splitlines()[-1].strip()


def _customer() -> None:
    from crm.models import Customer

    Customer.objects.get_or_create(customer_id=CUSTOMER_ID, defaults={"name": "Bench Customer"})


def _probe(url: str, body: dict, token: str) -> None:
    """One request first: a wrong body or a refused token fails here with the server's own words."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30):
            return
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{url} answered {error.code}: {error.read()[:300]!r}") from None
