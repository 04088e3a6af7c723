"""Open consoles polling as live.js does: one poll, its answer, a pause of the poll period ±50%, the next poll.

Each console is a thread that opens its connection when it sends, as a browser does behind the reverse
proxy that a gunicorn sync deployment puts in front (docs/deployment.md). wrk cannot play this part: with a
delay it opens the next connection at once and sends on it only after the delay, so each waiting console
holds a sync worker (blocked reading a request that has not come) and three workers serve three consoles.
"""

import http.client
import random
import statistics
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from bench.loadgen import LoadResult


def poll_like_consoles(url: str, consoles: list[tuple[str, str]], *, seconds: float, period_s: float):
    """`consoles` (session cookie, ETag or "") poll `url` for `seconds`: (LoadResult, answers per status)."""
    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    stopping = threading.Event()
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = Counter()
    lock = threading.Lock()

    def console(session: str, etag: str, seed: int) -> None:
        rng = random.Random(seed)
        if stopping.wait(rng.uniform(0, period_s)):  # consoles opened at different moments
            return
        while not stopping.is_set():
            headers = {"Cookie": f"sessionid={session}", "Accept": "application/json"}
            if etag:
                headers["If-None-Match"] = etag
            sent = time.monotonic()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = None
            finally:
                conn.close()
            answered = time.monotonic()
            with lock:
                if stopping.is_set():  # answered after the end: outside the measured window
                    return
                if status is None:
                    errors["socket"] += 1
                else:
                    statuses[status] += 1
                    latencies.append((answered - sent) * 1000)
            stopping.wait(rng.uniform(period_s / 2, period_s * 3 / 2))

    threads = [
        threading.Thread(target=console, args=(session, etag, n), daemon=True)
        for n, (session, etag) in enumerate(consoles)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stopping.set()
    for thread in threads:
        thread.join(timeout=30)
    requests = sum(statuses.values())
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    result = LoadResult(
        requests_per_second=requests / seconds,
        p50_ms=cuts[49],
        p99_ms=cuts[98],
        requests=requests,
        non_2xx=sum(count for status, count in statuses.items() if status >= 400),
        socket_errors=errors["socket"],
    )
    return result, statuses
