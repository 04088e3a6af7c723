"""When and how long to wait before retrying a call: bounded attempts and total time, backoff with jitter."""

from __future__ import annotations

import datetime
import email.utils
import random
from dataclasses import dataclass

# Worth retrying: the server is busy, restarting, or a proxy lost it. A 500 is retried too: the API rolls a
# failed request back entirely, and the Idempotency-Key makes a write that did commit a replay, never a copy.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries, and no wait that would end past `max_seconds` after the first try.

    The wait before try n+1 is "full jitter" exponential backoff, random in [0, min(backoff_max,
    backoff_base * 2**(n-1))], and never shorter than the server's `Retry-After`.
    """

    max_attempts: int = 5
    max_seconds: float = 30.0
    backoff_base: float = 0.5
    backoff_max: float = 8.0

    def __post_init__(self):
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be 1 or more.")
        if self.max_seconds < 0 or self.backoff_base < 0 or self.backoff_max < 0:
            raise ValueError("max_seconds, backoff_base and backoff_max must not be negative.")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        backoff = random.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))
        return max(backoff, retry_after or 0.0)


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(0.0, (moment - datetime.datetime.now(datetime.UTC)).total_seconds())
