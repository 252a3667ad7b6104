"""Prices a cart against the catalog: line totals, item count and total, all exact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from chalicelib.domain.cart import CHECKED_OUT, Cart, CartLine, LineWarning, Product
from chalicelib.domain.money import Money


class PricedLine(NamedTuple):
    line: CartLine
    unit_price: Money | None
    """None when the product left the catalog (or is now priced in another currency)."""

    @property
    def available(self) -> bool:
        return self.unit_price is not None

    @property
    def line_total(self) -> Money | None:
        return None if self.unit_price is None else self.unit_price.times(self.line.quantity)


class PricedCart(NamedTuple):
    cart: Cart
    lines: list[PricedLine]
    item_count: int
    total: Money
    warnings: list[LineWarning]
    """What the shopper should know before checking out (none once checked out)."""


def price_cart(cart: Cart, catalog: Mapping[str, Product]) -> PricedCart:
    """Price every line at the catalog's current price, or, once the cart is checked out, at
    the price frozen then; unavailable lines count for nothing."""
    lines = []
    total = Money.zero(cart.currency)
    for line in cart.lines:
        price: Money | None
        if cart.status == CHECKED_OUT:
            price = cart.checkout_prices.get(line.product_id)
        else:
            product = catalog.get(line.product_id)
            price = product.unit_price if product and product.currency == cart.currency else None
        priced = PricedLine(line, price)
        if priced.line_total is not None:
            total = total + priced.line_total
        lines.append(priced)
    item_count = sum(line.quantity for line in cart.lines)
    warnings = [] if cart.status == CHECKED_OUT else cart.warnings(catalog)
    return PricedCart(cart, lines, item_count, total, warnings)
