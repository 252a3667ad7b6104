"""What the shopper should know about a cart's lines before checking out, against the
catalog now: a price that changed since the line was last added or changed, a product gone
(or now priced in another currency), too little stock. Pure; checkout refuses on them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from chalicelib.domain.money import Money

if TYPE_CHECKING:
    from chalicelib.domain.cart import CartLine, Product

PRICE_CHANGED = "PRICE_CHANGED"
UNAVAILABLE = "UNAVAILABLE"
INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"


class LineWarning(NamedTuple):
    code: str
    product_id: str
    previous_unit_price: Money | None = None
    """PRICE_CHANGED: the unit price when the line was last added or changed."""
    unit_price: Money | None = None
    """PRICE_CHANGED: the unit price now."""
    available: int | None = None
    """INSUFFICIENT_STOCK: what the shop has."""

    @property
    def is_increase(self) -> bool:
        before, now = self.previous_unit_price, self.unit_price
        return before is not None and now is not None and now.amount > before.amount


def line_warnings(
    lines: Iterable[CartLine], currency: str, catalog: Mapping[str, Product]
) -> list[LineWarning]:
    found = []
    for line in lines:
        product = catalog.get(line.product_id)
        if product is None or product.currency != currency:
            found.append(LineWarning(UNAVAILABLE, line.product_id))
            continue
        price = product.unit_price
        if line.price_when_added is not None and line.price_when_added != price.amount:
            before = Money(line.price_when_added, currency)
            found.append(LineWarning(PRICE_CHANGED, line.product_id, before, price))
        if product.stock is not None and product.stock < line.quantity:
            found.append(LineWarning(INSUFFICIENT_STOCK, line.product_id, available=product.stock))
    return found
