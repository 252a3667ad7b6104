"""In-memory repositories for the service's unit tests: the domain model's rules, no I/O."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from datetime import datetime

from chalicelib.cart import Cart, Change, Product
from chalicelib.errors import CartNotFound
from chalicelib.repository import CartRepository, ProductRepository


class InMemoryCartRepository(CartRepository):
    def __init__(self) -> None:
        self.carts: dict[str, Cart] = {}

    def create(self, cart: Cart) -> None:
        self.carts[cart.cart_id] = copy.deepcopy(cart)

    def get(self, cart_id: str, now: datetime) -> Cart:
        cart = self._stored(cart_id)
        if cart.is_expired(now):
            raise CartNotFound(cart_id)
        return copy.deepcopy(cart)

    def add_line(self, cart_id: str, product: Product, quantity: int, change: Change) -> Cart:
        cart = copy.deepcopy(self._stored(cart_id))
        cart.add(product, quantity, change)  # raises before anything is stored
        self.carts[cart_id] = cart
        return copy.deepcopy(cart)

    def set_quantity(self, cart_id: str, product_id: str, quantity: int, change: Change) -> Cart:
        cart = copy.deepcopy(self._stored(cart_id))
        cart.set_quantity(product_id, quantity, change)
        self.carts[cart_id] = cart
        return copy.deepcopy(cart)

    def delete(self, cart_id: str, change: Change) -> None:
        self._stored(cart_id).check(change)
        del self.carts[cart_id]

    def _stored(self, cart_id: str) -> Cart:
        if cart_id not in self.carts:
            raise CartNotFound(cart_id)
        return self.carts[cart_id]


class InMemoryProductRepository(ProductRepository):
    def __init__(self, products: Iterable[Product] = ()) -> None:
        self.products = {product.product_id: product for product in products}
        self.reads = 0

    def get_many(self, product_ids: Collection[str]) -> dict[str, Product]:
        self.reads += 1
        return {pid: self.products[pid] for pid in product_ids if pid in self.products}

    def put_many(self, products: Iterable[Product]) -> None:
        self.products.update((product.product_id, product) for product in products)
