"""The in-process cache of what every priced cart reads and a shop changes rarely: the
catalog's prices (by product), the promotions and the delivery and tax rates (each whole).

A Lambda container keeps it between requests, so a warm container prices a cart without a
DynamoDB call. Entries live `ttl_seconds` (CATALOG_CACHE_SECONDS, default 60), so a change
to a product, a promotion or a rate shows within that time; at most `max_entries` are kept
(the expired ones go first, then the oldest).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Hashable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TimedCache(Generic[K, V]):
    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def fresh(self, keys: Collection[K]) -> dict[K, V]:
        """The values of `keys` the cache holds fresh (the others are left out)."""
        now = self._clock()
        with self._lock:
            entries = {key: self._entries.get(key) for key in keys}
        return {key: entry[1] for key, entry in entries.items() if entry and entry[0] > now}

    def put(self, values: Mapping[K, V]) -> None:
        """Keep `values`, each fresh for the cache's time from now."""
        now = self._clock()
        expires = now + self._ttl
        with self._lock:
            self._make_room(len(values), now)
            for key, value in values.items():
                self._entries[key] = (expires, value)

    def _make_room(self, needed: int, now: float) -> None:
        if len(self._entries) + needed <= self._max_entries:
            return
        self._entries = {key: e for key, e in self._entries.items() if e[0] > now}
        while self._entries and len(self._entries) + needed > self._max_entries:
            del self._entries[next(iter(self._entries))]
