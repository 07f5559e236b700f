"""Token buckets: how fast a websocket connection, and all connections of one client address,
may send messages to a worker. Pure: time is passed in, so the tests need no clock.

A bucket holds up to ``burst`` tokens and gains ``rate`` a second; a message takes one. When
none is left the message waits until one has grown (``take`` returns how long), so a sender
that goes faster than the rate is slowed to it, while a person's bursts (a few clicks, a room
opening the same link) pass at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class Bucket:
    rate: float  # tokens per second
    burst: float  # the most it holds
    tokens: float
    stamp: float  # when ``tokens`` was last brought up to date

    @classmethod
    def full(cls, rate: float, burst: float, now: float) -> Bucket:
        return cls(rate, burst, burst, now)

    def take(self, now: float) -> float:
        """Take one token; the seconds the caller must wait before it may use it (0 when there
        was one). A waiting caller owes its token already: the next one waits behind it."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class Buckets:
    """One bucket per key (a client's address), the least recently used dropped beyond
    ``max_keys`` so that many addresses cannot grow the table without bound. Thread-safe."""

    def __init__(self, rate: float, burst: float, max_keys: int = 10_000):
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> float:
        with self._lock:
            bucket = self._buckets.pop(key, None) or Bucket.full(self.rate, self.burst, now)
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return bucket.take(now)

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass
class Flood:
    """A connection that keeps sending faster than it may: each of its messages was already
    waiting when the last one was let through, and had to wait in turn, for ``close_after_s``
    without a break. It is closed then. A person never does this: between clicks the server waits
    for the browser; the phones of a room behind one address wait on their shared bucket, but
    their next message is not queued behind the last."""

    close_after_s: float
    since: float | None = None  # when the connection's current streak of backlogged messages began

    def note(self, backlogged: bool, waited_s: float, now: float) -> bool:
        """Record one message: ``backlogged`` when it was there as soon as it was asked for,
        ``waited_s`` how long the buckets made it wait. True: close the connection now."""
        if not backlogged or waited_s <= 0:
            self.since = None
            return False
        if self.since is None:
            self.since = now
        return now - self.since >= self.close_after_s
