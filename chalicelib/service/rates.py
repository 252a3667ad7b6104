"""The shop's delivery and tax rates, behind the in-process cache (cache.py). Their files'
checks are in datafiles/rates.py (tools/data/load_rates.py loads them, each all or nothing).

Every priced cart with an address needs both tables, and they are small (zones and rules by
the tens): the cache holds both, so a warm container prices a cart without reading them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chalicelib.domain.pricing import Rates
from chalicelib.service.cache import TimedCache
from chalicelib.service.ports import RateRepository

BOTH = "both"


class RateTables:
    def __init__(
        self,
        repository: RateRepository,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = repository
        self._cache: TimedCache[str, Rates] = TimedCache(ttl_seconds, clock=clock)

    def cached(self) -> Rates | None:
        """Both tables, if the cache holds them fresh."""
        return self._cache.fresh([BOTH]).get(BOTH)

    def all(self) -> Rates:
        cached = self.cached()
        if cached is not None:
            return cached
        rates = self._repository.get()
        self._cache.put({BOTH: rates})
        return rates
