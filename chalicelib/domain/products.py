"""A product as a cart sees it: the catalog's entry, with its price, stock and limits."""

from __future__ import annotations

from typing import NamedTuple

from chalicelib.domain.errors import QuantityLimitExceeded
from chalicelib.domain.money import Money

MAX_QUANTITY = 999


class Product(NamedTuple):
    product_id: str
    name: str
    unit_price: Money
    stock_levels: tuple[int, ...] | None = None
    """The units the shop has to sell, per shard of its stock (domain/stock.py), as last
    read (None: unlimited). The cart warns of too few; a checkout takes them."""
    max_per_cart: int | None = None
    """At most this many in one cart (None: MAX_QUANTITY)."""
    tax_category: str | None = None
    """Taxed at its category's rate where the tax rates give one (None: the standard rate)."""
    hold_minutes: float | None = None
    """How long a cart holds the units it adds (domain/holds.py; None: no holds)."""

    @property
    def currency(self) -> str:
        return self.unit_price.currency

    @property
    def stock(self) -> int | None:
        """The units the shop has to sell, in all (None: unlimited)."""
        return None if self.stock_levels is None else sum(self.stock_levels)

    @property
    def limit(self) -> int:
        """The most of this product one cart may hold."""
        return MAX_QUANTITY if self.max_per_cart is None else min(self.max_per_cart, MAX_QUANTITY)

    def check_quantity(self, quantity: int) -> None:
        if quantity > self.limit:
            raise QuantityLimitExceeded(self.product_id, self.limit)
