"""A cart's line: a product, its quantity and options, the price it was added at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

Attributes = dict[str, str]
"""A line's options (gift wrap, engraving): string pairs, the shopper's to set."""


@dataclass
class CartLine:
    product_id: str
    name: str
    quantity: int
    added_at: datetime
    attributes: Attributes = field(default_factory=dict)
    price_when_added: Decimal | None = None
    """The unit price (in the cart's currency) when the shopper last added or changed this
    line: what a later price is compared with (None: not known, a line older than this)."""
    expires_at: datetime | None = None
    """When storage lets the line go (kept past its cart's expiry; None: not stored yet)."""


def line_order(line: CartLine) -> tuple[datetime, str]:
    """The contract's order of a cart's lines: by when their product was first added, oldest
    first (a merge's lines keep their own time; lines added at once go by product id)."""
    return (line.added_at, line.product_id)
