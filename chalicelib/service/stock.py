"""The shop's own changes to its stock: units put back (a restock, a return) or removed
(shrinkage), each keyed so that a retry never counts twice (docs/stock.md).

The levels are read afresh, the domain plans where the units go (plan_adjustment), and the
ledger writes them with the request's receipt in one transaction; a shard that moved
meanwhile (a checkout took from it) means reading again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from chalicelib import telemetry
from chalicelib.domain.change import Change
from chalicelib.domain.commands import AdjustStock
from chalicelib.domain.errors import ConcurrentUpdate, ProductNotFound, StockMoved, StockNotCounted
from chalicelib.domain.products import Product
from chalicelib.domain.stock import plan_adjustment
from chalicelib.service.catalog import Catalog
from chalicelib.service.changes import STOCK_ATTEMPTS, RequestContext
from chalicelib.service.ports import StockLedger


class StockLevel(NamedTuple):
    product_id: str
    available: int
    """The units the product has to sell."""


class StockKeeping:
    def __init__(self, catalog: Catalog, ledger: StockLedger, clock: Callable[[], datetime]):
        self._catalog = catalog
        self._ledger = ledger
        self._clock = clock
        self._shards = random.Random()  # where units put back start

    def adjust(self, command: AdjustStock, context: RequestContext) -> StockLevel:
        """Change the product's stock by `command.delta` units: the level just after it,
        as this adjustment left it."""
        for _ in range(STOCK_ATTEMPTS):
            levels = self._levels(command.product_id)
            first = self._shards.randrange(len(levels))
            moves = plan_adjustment(command.product_id, levels, command.delta, first)
            now = self._clock()
            change = Change(now, now, receipt=context.receipt, request_id=context.request_id)
            try:
                self._ledger.adjust(command.product_id, moves, change)
            except StockMoved:
                telemetry.count("StockContention")
                continue
            return StockLevel(command.product_id, sum(levels) + command.delta)
        raise ConcurrentUpdate(command.product_id, "stock kept moving under the adjustment")

    def level(self, product_id: str) -> StockLevel:
        """The product's stock as it is now."""
        return StockLevel(product_id, sum(self._levels(product_id)))

    def _levels(self, product_id: str) -> tuple[int, ...]:
        product: Product | None = self._catalog.get_many([product_id], current=True).get(product_id)
        if product is None:
            raise ProductNotFound(product_id)
        if product.stock_levels is None:
            raise StockNotCounted(product_id)
        return product.stock_levels
