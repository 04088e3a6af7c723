"""Retries against a real local HTTP server that answers 503/429 (with Retry-After) a few times, then 201.

No database: the server is a tiny `http.server` in a thread that records each request it receives.
Times are compared only as "not before" (a retry never comes sooner than Retry-After), never as speeds.
"""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from callbot_client import (
    DatabaseService,
    RateLimited,
    RetryPolicy,
    ServerError,
    ServiceUnavailable,
    ValidationError,
)
from callbot_client.retry import parse_retry_after

pytestmark = pytest.mark.timeout(60)

UNAVAILABLE = {"type": "database_unavailable", "detail": "The database is temporarily unavailable.", "errors": {}}
THROTTLED = {"type": "throttled", "detail": "Request was throttled.", "errors": {}}
CREATED = {"interaction_id": "5f0c6a51-0d7e-4c39-9a43-3a2f8b1d2e11", "status": "pending"}
FAST = RetryPolicy(max_attempts=5, max_seconds=30, backoff_base=0.01, backoff_max=0.05)


@dataclass
class Received:
    at: float
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class ScriptedServer:
    """Answers the scripted (status, headers, body) in turn, repeating the last one; records every request."""

    script: list = field(default_factory=list)
    received: list = field(default_factory=list)
    url: str = ""

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        self.received.append(
            Received(time.monotonic(), handler.command, handler.path, dict(handler.headers.items()), body)
        )
        status, headers, payload = self.script[min(len(self.received), len(self.script)) - 1]
        content = json.dumps(payload).encode()
        handler.send_response(status)
        for name, value in {**headers, "Content-Type": "application/json"}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)


@pytest.fixture
def scripted():
    state = ScriptedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state.answer(self)

        def do_POST(self):
            state.answer(self)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _create(service: DatabaseService) -> dict:
    return service.create_interaction(customer_id="CUST-009", channel="phone")


def test_503_and_429_are_retried_with_the_same_key_not_before_retry_after(scripted):
    scripted.script = [
        (503, {"Retry-After": "1"}, UNAVAILABLE),
        (429, {"Retry-After": "1"}, THROTTLED),
        (201, {}, CREATED),
    ]
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=FAST) as service:
        created = _create(service)

    assert created == CREATED
    received = scripted.received
    assert [r.path for r in received] == ["/api/v1/interactions/"] * 3
    assert len({r.headers["Idempotency-Key"] for r in received}) == 1
    assert len({r.body for r in received}) == 1
    assert json.loads(received[0].body) == {
        "customer_id": "CUST-009",
        "channel": "phone",
        "intent": "",
        "emotion": "",
        "urgency": "low",
    }
    assert all(r.headers["Authorization"] == "Token t0ken" for r in received)
    # Each retry came no sooner than the Retry-After of the answer before it.
    assert received[1].at - received[0].at >= 1
    assert received[2].at - received[1].at >= 1


def test_each_logical_call_has_its_own_key(scripted):
    scripted.script = [(503, {"Retry-After": "0"}, UNAVAILABLE), (201, {}, CREATED)]
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=FAST) as service:
        _create(service)
        _create(service)  # the script's last answer (201) repeats

    keys = [r.headers["Idempotency-Key"] for r in scripted.received]
    assert len(keys) == 3 and keys[0] == keys[1] != keys[2]


def test_gives_up_after_max_attempts_with_service_unavailable(scripted):
    scripted.script = [(503, {"Retry-After": "0"}, UNAVAILABLE)]
    policy = RetryPolicy(max_attempts=3, max_seconds=30, backoff_base=0.01, backoff_max=0.05)
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=policy) as service:
        with pytest.raises(ServiceUnavailable) as caught:
            _create(service)

    assert len(scripted.received) == 3
    assert len({r.headers["Idempotency-Key"] for r in scripted.received}) == 1
    assert (caught.value.status, caught.value.type, caught.value.retry_after) == (503, "database_unavailable", 0)


def test_gives_up_on_429_with_rate_limited_and_its_retry_after(scripted):
    scripted.script = [(429, {"Retry-After": "1"}, THROTTLED)]
    policy = RetryPolicy(max_attempts=2, max_seconds=30, backoff_base=0.01, backoff_max=0.05)
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=policy) as service:
        with pytest.raises(RateLimited) as caught:
            _create(service)

    assert len(scripted.received) == 2 and scripted.received[1].at - scripted.received[0].at >= 1
    assert (caught.value.status, caught.value.type, caught.value.retry_after) == (429, "throttled", 1)


def test_a_retry_after_past_the_time_bound_is_not_waited_for(scripted):
    scripted.script = [(503, {"Retry-After": "3600"}, UNAVAILABLE), (201, {}, CREATED)]
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=FAST) as service:
        with pytest.raises(ServiceUnavailable) as caught:
            _create(service)

    assert len(scripted.received) == 1 and caught.value.retry_after == 3600


def test_a_500_is_retried_then_reported_as_server_error(scripted):
    scripted.script = [(500, {}, {"type": "server_error", "detail": "logged", "errors": {}})]
    policy = RetryPolicy(max_attempts=2, max_seconds=30, backoff_base=0.01, backoff_max=0.05)
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=policy) as service:
        with pytest.raises(ServerError):
            _create(service)

    assert len(scripted.received) == 2


def test_a_400_is_not_retried(scripted):
    refused = {"type": "validation_error", "detail": "Invalid input", "errors": {"channel": ["not allowed"]}}
    scripted.script = [(400, {}, refused), (201, {}, CREATED)]
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=FAST) as service:
        with pytest.raises(ValidationError) as caught:
            _create(service)

    assert len(scripted.received) == 1 and caught.value.errors == {"channel": ["not allowed"]}


def test_a_read_is_retried_without_a_key(scripted):
    scripted.script = [
        (503, {"Retry-After": "0"}, UNAVAILABLE),
        (200, {}, [{"date": "2026-01-01", "total_interactions": 3}]),
    ]
    with DatabaseService(base_url=scripted.url, token="t0ken", retry=FAST) as service:
        days = service.get_daily_metrics(date_from="2026-01-01", date_to="2026-01-01")

    assert days == [{"date": "2026-01-01", "total_interactions": 3}]
    assert [r.path for r in scripted.received] == ["/api/v1/metrics/daily/?date_from=2026-01-01&date_to=2026-01-01"] * 2
    assert all("Idempotency-Key" not in r.headers for r in scripted.received)


def test_a_refused_connection_is_retried_then_service_unavailable():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    policy = RetryPolicy(max_attempts=2, max_seconds=30, backoff_base=0.01, backoff_max=0.05)
    with DatabaseService(base_url=f"http://127.0.0.1:{port}", token="t0ken", retry=policy) as service:
        with pytest.raises(ServiceUnavailable) as caught:
            _create(service)

    assert (caught.value.status, caught.value.type) == (None, "connection_error")
    assert caught.value.__cause__ is not None


def test_retry_after_reads_seconds_and_http_dates():
    assert parse_retry_after("5") == 5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # a date in the past: retry now
    assert 3000 < parse_retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3600)))
