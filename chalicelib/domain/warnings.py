"""What the shopper should know about a cart before checking out, against the catalog now:
of a line, a price that changed since the line was last added or changed, a product gone (or
now priced in another currency), too little stock; of the cart, an address nobody delivers
to, a tax that is the rate table's estimate. Pure; checkout refuses on most of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple, Protocol

from chalicelib.domain.money import Money

PRICE_CHANGED = "PRICE_CHANGED"
UNAVAILABLE = "UNAVAILABLE"
INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
HOLD_EXPIRED = "HOLD_EXPIRED"
"""Of a line: its hold lapsed and the units went back to stock; its next change, or the
checkout, holds (or takes) them again if they are still there."""
UNDELIVERABLE = "UNDELIVERABLE"
"""Of the cart: nobody delivers to its address (in its currency). Checkout refuses."""
TAX_ESTIMATED = "TAX_ESTIMATED"
"""Of the cart: the shop's tax service did not answer; the tax is the rate table's."""


class CartWarning(NamedTuple):
    code: str
    product_id: str | None = None
    """The line's product (None: a warning about the cart)."""
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


class Line(Protocol):
    """What a warning needs of a cart's line (domain/cart.py's CartLine)."""

    @property
    def product_id(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def price_when_added(self) -> Decimal | None: ...


class CatalogEntry(Protocol):
    """What a warning needs of a product (domain/cart.py's Product)."""

    @property
    def currency(self) -> str: ...
    @property
    def unit_price(self) -> Money: ...
    @property
    def stock(self) -> int | None: ...


def line_warnings(
    lines: Iterable[Line],
    currency: str,
    catalog: Mapping[str, CatalogEntry],
    held: Mapping[str, int] | None = None,
    lapsed: Iterable[str] = (),
) -> list[CartWarning]:
    """The lines' warnings; a line that `held` units of its product counts them as its own
    (they are out of the stock the catalog counts); the `lapsed` products' lines warn that
    their holds lapsed."""
    found = []
    lapsed = set(lapsed)
    for line in lines:
        product = catalog.get(line.product_id)
        if product is None or product.currency != currency:
            found.append(CartWarning(UNAVAILABLE, line.product_id))
            continue
        price = product.unit_price
        if line.price_when_added is not None and line.price_when_added != price.amount:
            before = Money(line.price_when_added, currency)
            found.append(CartWarning(PRICE_CHANGED, line.product_id, before, price))
        if product.stock is not None:
            available = product.stock + (held or {}).get(line.product_id, 0)
            if available < line.quantity:
                found.append(CartWarning(INSUFFICIENT_STOCK, line.product_id, available=available))
        if line.product_id in lapsed:
            found.append(CartWarning(HOLD_EXPIRED, line.product_id))
    return found
