"""The cart operations: one method per operation of the contract.

Each method takes validated input, makes one atomic change through the repository and
answers with the priced cart read back afterwards (strongly consistent), so the caller sees
the cart as stored, including changes made by concurrent requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from chalicelib.cart import Cart
from chalicelib.catalog import Catalog
from chalicelib.clock import utc_now
from chalicelib.errors import ProductNotFound
from chalicelib.pricing import PricedCart, price_cart
from chalicelib.repository import CartRepository
from chalicelib.validation import AddItem, CreateCart, UpdateItem


class CartService:
    def __init__(
        self,
        carts: CartRepository,
        catalog: Catalog,
        clock: Callable[[], datetime] = utc_now,
        new_cart_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._carts = carts
        self._catalog = catalog
        self._clock = clock
        self._new_cart_id = new_cart_id

    def create_cart(self, command: CreateCart) -> PricedCart:
        now = self._clock()
        cart = Cart(self._new_cart_id(), command.customer_id, command.currency, now, now)
        self._carts.create(cart)
        return price_cart(cart, {})

    def get_cart(self, cart_id: str) -> PricedCart:
        cart = self._carts.get(cart_id)
        return price_cart(cart, self._catalog.get_many([line.product_id for line in cart.lines]))

    def add_item(self, cart_id: str, command: AddItem) -> PricedCart:
        product = self._catalog.get(command.product_id)
        if product is None:
            raise ProductNotFound(command.product_id)
        self._carts.add_line(cart_id, product, command.quantity, self._clock())
        return self.get_cart(cart_id)

    def update_item(self, cart_id: str, product_id: str, command: UpdateItem) -> PricedCart:
        self._carts.set_quantity(cart_id, product_id, command.quantity, self._clock())
        return self.get_cart(cart_id)

    def remove_item(self, cart_id: str, product_id: str) -> PricedCart:
        self._carts.set_quantity(cart_id, product_id, 0, self._clock())
        return self.get_cart(cart_id)

    def delete_cart(self, cart_id: str) -> None:
        self._carts.delete(cart_id)
