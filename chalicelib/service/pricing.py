"""Carts priced for an answer: the catalog's prices and the promotions, each behind its own
cache; when the promotions are not cached, they are read while the prices are (or while a
new cart is written), so that a request waits for the slower of the two reads, not both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.cart import Cart
from chalicelib.domain.pricing import PricedCart, price_cart
from chalicelib.domain.promotions import Promotion
from chalicelib.parallel import in_background
from chalicelib.service.catalog import Catalog
from chalicelib.service.promotions import Promotions


class Pricing:
    def __init__(self, catalog: Catalog, promotions: Promotions) -> None:
        self.catalog = catalog
        self.promotions = promotions

    def price(self, cart: Cart, now: datetime) -> PricedCart:
        promotions = self.promotions_soon()
        catalog = self.catalog.get_many([line.product_id for line in cart.lines])
        return price_cart(cart, catalog, promotions(), now)

    def promotions_soon(self) -> Callable[[], list[Promotion]]:
        """The promotions, when called: from the cache, or read from now on in the
        background (the caller does its own I/O meanwhile)."""
        cached = self.promotions.cached()
        if cached is not None:
            return lambda: cached
        return in_background(self.promotions.all).result
