"""In-memory repositories for the service's unit tests: the domain model's rules, no I/O."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from chalicelib.domain.cart import ACTIVE, Cart, Change, Product
from chalicelib.domain.errors import CartNotFound, ConcurrentUpdate
from chalicelib.service.keys import KeyRing
from chalicelib.service.ports import CartRepository, ProductRepository


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

    def merge(self, target: Cart, source: Cart, change: Change) -> Cart:
        self._unchanged(target, source)
        merged = copy.deepcopy(target)
        merged.merge(copy.deepcopy(source), change)
        self.carts[target.cart_id] = merged
        del self.carts[source.cart_id]
        return copy.deepcopy(merged)

    def check_out(self, cart: Cart, catalog: Mapping[str, Product], change: Change) -> Cart:
        self._unchanged(cart)
        checked_out = copy.deepcopy(cart)
        checked_out.check_out(dict(catalog), change)
        self.carts[cart.cart_id] = checked_out
        return copy.deepcopy(checked_out)

    def list_for_customer(
        self, customer_id: str, limit: int, after: dict[str, str] | None, now: datetime
    ) -> tuple[list[Cart], dict[str, str] | None]:
        mine = sorted(
            (
                c
                for c in self.carts.values()
                if c.customer_id == customer_id and not c.is_expired(now)
            ),
            key=lambda c: (c.created_at, c.cart_id),
            reverse=True,
        )
        if after is not None:
            start = (datetime.fromisoformat(after["createdAt"]), after["cartId"])
            mine = [c for c in mine if (c.created_at, c.cart_id) < start]
        page = mine[:limit]
        more = len(mine) > limit
        last = page[-1] if page and more else None
        position = (
            {"createdAt": last.created_at.isoformat(), "cartId": last.cart_id} if last else None
        )
        return [copy.deepcopy(c) for c in page], position

    def count_active(self, customer_id: str, now: datetime) -> int:
        return sum(
            1
            for c in self.carts.values()
            if c.customer_id == customer_id and c.status == ACTIVE and not c.is_expired(now)
        )

    def _unchanged(self, *read: Cart) -> None:
        for cart in read:
            if self._stored(cart.cart_id).version != cart.version:
                raise ConcurrentUpdate(cart.cart_id)

    def _stored(self, cart_id: str) -> Cart:
        if cart_id not in self.carts:
            raise CartNotFound(cart_id)
        return self.carts[cart_id]


TEST_KEYS = KeyRing.parse('{"current": "t1", "t1": "test-key-for-unit-tests"}')


def fixed_keys() -> KeyRing:
    return TEST_KEYS


class InMemoryProductRepository(ProductRepository):
    def __init__(self, products: Iterable[Product] = ()) -> None:
        self.products = {product.product_id: product for product in products}
        self.reads = 0

    def get_many(self, product_ids: Collection[str]) -> dict[str, Product]:
        self.reads += 1
        return {pid: self.products[pid] for pid in product_ids if pid in self.products}

    def put_many(self, products: Iterable[Product]) -> None:
        self.products.update((product.product_id, product) for product in products)
