"""The cart aggregate: pure Python, no I/O.

`Cart` enforces the contract's rules (at most 999 of a product, at most 100 distinct
products, one currency). The DynamoDB repository enforces the same rules atomically with
condition expressions; the in-memory repository of the unit tests enforces them by calling
these methods, so both answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from chalicelib.errors import (
    CartNotFound,
    CurrencyMismatch,
    ItemNotFound,
    LineLimitExceeded,
    PreconditionFailed,
    QuantityLimitExceeded,
)
from chalicelib.money import Money

MAX_QUANTITY = 999
MAX_LINES = 100
ACTIVE = "ACTIVE"


class Product(NamedTuple):
    product_id: str
    name: str
    unit_price: Money

    @property
    def currency(self) -> str:
        return self.unit_price.currency


class Change(NamedTuple):
    """When a change happens, until when the cart lives after it, and, when the client sent
    If-Match, the version the change was decided against."""

    now: datetime
    expires_at: datetime
    expected_version: int | None = None


@dataclass
class CartLine:
    product_id: str
    name: str
    quantity: int
    added_at: datetime


@dataclass
class Cart:
    cart_id: str
    customer_id: str
    currency: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    status: str = ACTIVE
    version: int = 1
    lines: list[CartLine] = field(default_factory=list)

    def line(self, product_id: str) -> CartLine | None:
        return next((line for line in self.lines if line.product_id == product_id), None)

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def check(self, change: Change) -> None:
        """Refuse any change to an expired cart, or one decided against another version."""
        if self.is_expired(change.now):
            raise CartNotFound(self.cart_id)
        if change.expected_version is not None and change.expected_version != self.version:
            raise PreconditionFailed(self.cart_id, change.expected_version, self.version)

    def add(self, product: Product, quantity: int, change: Change) -> None:
        """Add `quantity` units of `product`: to its line, or as a new last line."""
        if quantity < 1:
            raise ValueError("quantity to add must be at least 1")
        self.check(change)
        if product.currency != self.currency:
            raise CurrencyMismatch(product.product_id, product.currency, self.currency)
        line = self.line(product.product_id)
        if line is None:
            if len(self.lines) >= MAX_LINES:
                raise LineLimitExceeded(MAX_LINES)
            if quantity > MAX_QUANTITY:
                raise QuantityLimitExceeded(product.product_id, MAX_QUANTITY)
            self.lines.append(CartLine(product.product_id, product.name, quantity, change.now))
        else:
            if line.quantity + quantity > MAX_QUANTITY:
                raise QuantityLimitExceeded(product.product_id, MAX_QUANTITY)
            line.quantity += quantity
            line.name = product.name
        self._changed(change)

    def set_quantity(self, product_id: str, quantity: int, change: Change) -> None:
        """Set a line's quantity; 0 removes the line."""
        if quantity < 0:
            raise ValueError("quantity cannot be negative")
        self.check(change)
        if quantity > MAX_QUANTITY:
            raise QuantityLimitExceeded(product_id, MAX_QUANTITY)
        line = self.line(product_id)
        if line is None:
            raise ItemNotFound(self.cart_id, product_id)
        if quantity == 0:
            self.lines.remove(line)
        else:
            line.quantity = quantity
        self._changed(change)

    def _changed(self, change: Change) -> None:
        self.updated_at = change.now
        self.expires_at = change.expires_at
        self.version += 1
