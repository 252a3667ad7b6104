"""What the service needs from storage: the ports that the DynamoDB adapter implements.

The service talks only to these interfaces; `dynamodb.py` is the one implementation for
production and the in-memory one in `tests/fakes.py` serves the fast unit tests.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable
from datetime import datetime

from chalicelib.cart import Cart, Change, Product


class CartRepository(abc.ABC):
    @abc.abstractmethod
    def create(self, cart: Cart) -> None:
        """Store a new, empty cart."""

    @abc.abstractmethod
    def get(self, cart_id: str, now: datetime) -> Cart:
        """The cart with its lines, oldest line first; CartNotFound if missing or expired."""

    @abc.abstractmethod
    def add_line(self, cart_id: str, product: Product, quantity: int, change: Change) -> Cart:
        """Atomically add to a line (or create it) under the cart's rules; the cart after.

        Raises CartNotFound, PreconditionFailed, CurrencyMismatch, QuantityLimitExceeded or
        LineLimitExceeded, and then nothing has changed.
        """

    @abc.abstractmethod
    def set_quantity(self, cart_id: str, product_id: str, quantity: int, change: Change) -> Cart:
        """Atomically set a line's quantity, 0 removing it; the cart after.

        Raises CartNotFound, PreconditionFailed or ItemNotFound, and then nothing changed.
        """

    @abc.abstractmethod
    def delete(self, cart_id: str, change: Change) -> None:
        """Delete the cart and every line of it. Raises CartNotFound, PreconditionFailed."""


class ProductRepository(abc.ABC):
    @abc.abstractmethod
    def get_many(self, product_ids: Collection[str]) -> dict[str, Product]:
        """The products of the catalog among `product_ids`; absent ones are left out."""

    @abc.abstractmethod
    def put_many(self, products: Iterable[Product]) -> None:
        """Insert or replace catalog entries."""
