"""Per-client token buckets, one set per route group (search, suggest, feed, login …).

A bucket holds up to ``limit`` requests and refills at ``limit / period`` per
second, so a client may burst up to its limit and then continues at the steady
rate. A request without a token left is answered 429 with ``Retry-After``.

Buckets live in this process's memory. With N API processes behind a load
balancer a client gets up to N × the limit (each process counts alone); for a
county-scale deployment (one or two processes) that is an accepted bound. A
shared limiter (Redis, or the proxy in front) replaces this class if it ever
is not. The number of buckets is capped (least recently used go first) so a
flood of distinct clients cannot exhaust memory.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour)s?\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    period: float  # seconds

    @property
    def per_second(self) -> float:
        return self.limit / self.period


def parse_rate(text: str) -> Rate:
    """``120/minute``, ``10/second``, ``1000/hour``, ``5/10second``."""
    match = _RATE.match(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"rate {text!r}: expected N/second|minute|hour, e.g. 120/minute")
    count = int(match.group(2) or 1)
    return Rate(int(match.group(1)), count * _UNITS[match.group(3)])


class TokenBucketLimiter:
    def __init__(self, max_clients: int = 100_000) -> None:
        self.max_clients = max_clients
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, group: str, client: str, rate: Rate) -> float:
        """Spend one request: 0.0 when allowed, else seconds until the next one is."""
        now = time.monotonic()
        key = (group, client)
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(rate.limit), now))
            tokens = min(float(rate.limit), tokens + (now - last) * rate.per_second)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) / rate.per_second
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
