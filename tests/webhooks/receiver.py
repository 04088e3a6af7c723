"""A real HTTP receiver for webhook tests: http.server in a thread, recording every request it answers.

`Receiver(port).start()` listens; `.stop()` closes the socket (connections are then refused, like a
bot whose server is down); `.start()` again listens on the same port. `status` is what it answers.
"""

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


def signature_valid(secret: str, request: Received) -> bool:
    """The documented check (docs/api.md): any v1 value equal to HMAC(secret, f"{timestamp}.{body}")."""
    timestamp = request.headers["X-Callbot-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    values = [part.split("=", 1)[1] for part in request.headers["X-Callbot-Signature"].split(",")]
    return any(hmac.compare_digest(expected, value) for value in values)


class Receiver:
    def __init__(self, port: int, status: int = 200):
        self.port = port
        self.status = status
        self.received: list[Received] = []  # answered with a 2xx
        self.refused = 0  # answered with anything else
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/callbot"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    status = receiver.status
                    if 200 <= status < 300:
                        receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    else:
                        receiver.refused += 1
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no" if status >= 300 else b"ok")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def requests(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """At least `count` accepted requests, waiting up to `timeout` seconds (then what came)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.requests()) < count:
            time.sleep(0.1)
        return self.requests()
