"""What one request (or one batch of stream records, one sweep) did, counted as it happens.

The edge opens a tally around each invocation (`tallying`); code at any layer counts into it
(`count`: a conditional conflict in the adapter, a cart created in the service, a DynamoDB
call in botocore's event hook). The edge then writes the tally as metrics on the request's
log line (edge/metrics.py). Outside a tally (a test calling the service), `count` does
nothing.

Outside the layers (standard library only), like parallel.py: the threads of
`parallel.in_background` run in a copy of the request's context, so they count into the
request's tally; a lock keeps their counts whole.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Tally:
    """The counts of one invocation, and what it was (operation, code, reason)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.labels: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, metric: str, amount: int) -> None:
        with self._lock:
            self.counts[metric] += amount


_current: ContextVar[Tally | None] = ContextVar("tally", default=None)


def count(metric: str, amount: int = 1) -> None:
    """Add `amount` to `metric` in the current invocation's tally (if any)."""
    tally = _current.get()
    if tally is not None and amount:
        tally.add(metric, amount)


def label(**labels: str) -> None:
    """Say what the current invocation was: its `operation`, its error `code`, the `reason`
    a discount code was refused (the metrics' dimensions)."""
    tally = _current.get()
    if tally is not None:
        tally.labels.update(labels)


@contextmanager
def tallying() -> Iterator[Tally]:
    """A new tally for the invocation that runs inside."""
    tally = Tally()
    token = _current.set(tally)
    try:
        yield tally
    finally:
        _current.reset(token)
