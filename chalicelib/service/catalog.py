"""The product catalog: prices for the cart, behind the in-process cache (cache.py).

Prices sit on the hot path of every cart response. Absent products are cached too, so a bad
product id does not cost a read each time. The catalog file's checks are in
datafiles/catalog.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from chalicelib.domain.products import Product
from chalicelib.service.cache import TimedCache
from chalicelib.service.ports import ProductRepository


class Catalog:
    def __init__(
        self,
        products: ProductRepository,
        ttl_seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._products = products
        self._cache: TimedCache[str, Product | None] = TimedCache(ttl_seconds, max_entries, clock)

    def get_many(self, product_ids: Collection[str], current: bool = False) -> dict[str, Product]:
        """The catalog entries among `product_ids`, from the cache where it is fresh; with
        `current`, all read from the catalog now (a checkout freezes today's prices), every
        shard of their stock the cache knows of read at once."""
        cached = self._cache.fresh(product_ids)
        known = {} if current else cached
        missing = [pid for pid in product_ids if pid not in known]
        if missing:
            shards = {
                pid: len(product.stock_levels)
                for pid, product in cached.items()
                if product is not None and product.stock_levels
            }
            fetched = self._products.get_many(missing, shards)
            read = {pid: fetched.get(pid) for pid in missing}
            self._cache.put(read)
            known.update(read)
        return {pid: product for pid, product in known.items() if product is not None}

    def get(self, product_id: str) -> Product | None:
        return self.get_many([product_id]).get(product_id)
