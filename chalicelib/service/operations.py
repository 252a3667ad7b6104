"""The cart operations: one method per operation of the contract.

Each method takes validated input, makes one atomic change through the repository and
answers with the priced cart read back afterwards (strongly consistent), so the caller sees
the cart as stored, including changes made by concurrent requests. A cart lives `lifetime`
(CART_TTL_DAYS) after its last change; `expected_version` is the client's If-Match.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib.domain.cart import Cart, Change
from chalicelib.domain.clock import utc_now
from chalicelib.domain.commands import AddItem, CreateCart, ListCarts, MergeCarts, UpdateItem
from chalicelib.domain.errors import ConcurrentUpdate, ProductNotFound
from chalicelib.domain.pricing import PricedCart, price_cart
from chalicelib.service import pagination
from chalicelib.service.catalog import Catalog
from chalicelib.service.ports import CartRepository

DEFAULT_LIFETIME = timedelta(days=30)
# Merge and checkout decide on carts as read; when one changed meanwhile, read and try again.
READ_AND_WRITE_ATTEMPTS = 3


class CartsPage(NamedTuple):
    carts: list[Cart]
    next_token: str | None


class CartService:
    def __init__(
        self,
        carts: CartRepository,
        catalog: Catalog,
        lifetime: timedelta = DEFAULT_LIFETIME,
        page_token_key: str = "",
        clock: Callable[[], datetime] = utc_now,
        new_cart_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._carts = carts
        self._catalog = catalog
        self._lifetime = lifetime
        self._page_token_key = page_token_key
        self._clock = clock
        self._new_cart_id = new_cart_id

    def create_cart(self, command: CreateCart) -> PricedCart:
        change = self._change(None)
        cart = Cart(
            self._new_cart_id(),
            command.customer_id,
            command.currency,
            created_at=change.now,
            updated_at=change.now,
            expires_at=change.expires_at,
        )
        self._carts.create(cart)
        return price_cart(cart, {})

    def get_cart(self, cart_id: str) -> PricedCart:
        return self._priced(self._carts.get(cart_id, self._clock()))

    def add_item(
        self, cart_id: str, command: AddItem, expected_version: int | None = None
    ) -> PricedCart:
        product = self._catalog.get(command.product_id)
        if product is None:
            raise ProductNotFound(command.product_id)
        change = self._change(expected_version)
        return self._priced(self._carts.add_line(cart_id, product, command.quantity, change))

    def update_item(
        self,
        cart_id: str,
        product_id: str,
        command: UpdateItem,
        expected_version: int | None = None,
    ) -> PricedCart:
        change = self._change(expected_version)
        return self._priced(self._carts.set_quantity(cart_id, product_id, command.quantity, change))

    def remove_item(
        self, cart_id: str, product_id: str, expected_version: int | None = None
    ) -> PricedCart:
        change = self._change(expected_version)
        return self._priced(self._carts.set_quantity(cart_id, product_id, 0, change))

    def delete_cart(self, cart_id: str, expected_version: int | None = None) -> None:
        self._carts.delete(cart_id, self._change(expected_version))

    def list_customer_carts(self, customer_id: str, query: ListCarts) -> CartsPage:
        """A page of the customer's carts, newest first, and the token of the next page."""
        after = None
        if query.next_token is not None:
            after = pagination.decode(query.next_token, customer_id, self._page_token_key)
        carts, position = self._carts.list_for_customer(
            customer_id, query.limit, after, self._clock()
        )
        token = pagination.encode(customer_id, position, self._page_token_key) if position else None
        return CartsPage(carts, token)

    def merge_carts(
        self, cart_id: str, command: MergeCarts, expected_version: int | None = None
    ) -> PricedCart:
        """Move the source cart's lines into this one; the source is gone afterwards."""

        def merge(change: Change) -> Cart:
            target = self._carts.get(cart_id, change.now)
            source = self._carts.get(command.source_cart_id, change.now)
            return self._carts.merge(target, source, change)

        return self._on_fresh_reads(cart_id, expected_version, merge)

    def check_out(self, cart_id: str, expected_version: int | None = None) -> PricedCart:
        """Freeze the cart at the catalog's prices of now; it can only be read afterwards."""

        def check_out(change: Change) -> Cart:
            cart = self._carts.get(cart_id, change.now)
            catalog = self._catalog.get_many([line.product_id for line in cart.lines], current=True)
            return self._carts.check_out(cart, catalog, change)

        return self._on_fresh_reads(cart_id, expected_version, check_out)

    def _on_fresh_reads(
        self, cart_id: str, expected_version: int | None, read_and_write: Callable[[Change], Cart]
    ) -> PricedCart:
        """Run a change decided on carts as read; when one changed before the write (the
        repository raises ConcurrentUpdate), read again and decide again, a few times."""
        for _ in range(READ_AND_WRITE_ATTEMPTS):
            try:
                return self._priced(read_and_write(self._change(expected_version)))
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(cart_id)

    def _change(self, expected_version: int | None) -> Change:
        """A change now, keeping the cart for its lifetime from now (whole seconds, as TTL)."""
        now = self._clock()
        return Change(now, (now + self._lifetime).replace(microsecond=0), expected_version)

    def _priced(self, cart: Cart) -> PricedCart:
        return price_cart(cart, self._catalog.get_many([line.product_id for line in cart.lines]))
