"""The promotions: all of them, behind the in-process cache (cache.py). The promotions
file's checks are in datafiles/promotions.py (tools/data/load_promotions.py loads it, all or
nothing).

Every priced cart needs every automatic promotion (and approachingDiscounts lists them),
and a shop runs tens of promotions, not thousands: the cache holds the whole table, so a
warm container prices a cart without reading it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chalicelib.domain.promotions import Promotion
from chalicelib.service.cache import TimedCache
from chalicelib.service.ports import PromotionRepository

ALL = "all"


class Promotions:
    def __init__(
        self,
        repository: PromotionRepository,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = repository
        self._cache: TimedCache[str, list[Promotion]] = TimedCache(ttl_seconds, clock=clock)

    def cached(self) -> list[Promotion] | None:
        """Every promotion, if the cache holds them fresh."""
        return self._cache.fresh([ALL]).get(ALL)

    def all(self) -> list[Promotion]:
        cached = self.cached()
        if cached is not None:
            return cached
        promotions = self._repository.all()
        self._cache.put({ALL: promotions})
        return promotions

    def uses(self, promotion: Promotion, customer_id: str | None) -> tuple[int, int]:
        """Its uses so far, in all and by the customer, read now (never cached)."""
        return self._repository.uses(promotion.promotion_id, customer_id)
