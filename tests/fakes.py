"""In-memory repositories for the service's unit tests: the domain model's rules, no I/O."""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain.attempts import AttemptWindow
from chalicelib.domain.cart import ACTIVE, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import (
    CartNotFound,
    ConcurrentUpdate,
    HoldCapReached,
    RequestAlreadyApplied,
    StockMoved,
)
from chalicelib.domain.holds import HoldChanges, HolderCount, release
from chalicelib.domain.lines import Attributes
from chalicelib.domain.pricing import NO_RATES, Rates
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import Promotion
from chalicelib.domain.receipts import Receipt, StoredReceipt
from chalicelib.domain.stock import StockTake, check_fits, has_units
from chalicelib.dynamodb.promotions import use_counts
from chalicelib.service.catalog import Catalog
from chalicelib.service.datafiles.rates import DELIVERY, parse_delivery_rates, parse_tax_rates
from chalicelib.service.keys import KeyRing
from chalicelib.service.ports import (
    CartRepository,
    CodeAttempts,
    Decided,
    HoldSweep,
    ProductRepository,
    PromotionRepository,
    RateRepository,
    ReceiptStore,
    StockLedger,
)
from chalicelib.service.pricing import Pricing
from chalicelib.service.promotions import Promotions
from chalicelib.service.rates import RateTables


class InMemoryReceiptStore(ReceiptStore):
    def __init__(self) -> None:
        self.receipts: dict[str, StoredReceipt] = {}

    def get(self, key: str, now: datetime) -> StoredReceipt | None:
        return self.receipts.get(key)

    def keep_reply(self, receipt: Receipt, reply: dict[str, Any]) -> None:
        stored = self.receipts.get(receipt.key)
        if stored is None or stored.reply is not None:
            return
        if stored.receipt.request == receipt.request:
            self.receipts[receipt.key] = stored._replace(reply=copy.deepcopy(reply))


class InMemoryCartRepository(CartRepository):
    """Every change is checked first and stored whole afterwards, with its receipt: all or
    nothing, as the DynamoDB transactions are. Merges always happen at once."""

    def __init__(
        self,
        receipts: InMemoryReceiptStore | None = None,
        promotions: InMemoryPromotionRepository | None = None,
        stock: InMemoryProductRepository | None = None,
    ) -> None:
        self.carts: dict[str, Cart] = {}
        self.receipts = receipts or InMemoryReceiptStore()
        self.promotions = promotions or InMemoryPromotionRepository()
        self.stock = stock or InMemoryProductRepository()
        """The catalog whose stock a checkout takes (the service's own catalog)."""
        self.hold_counts: dict[str, int] = {}
        """The units each holder holds (DynamoDB's HoldCounts)."""
        self.sweep = InMemoryHoldSweep(self)

    def create(self, cart: Cart, change: Change, holding: HoldChanges | None = None) -> None:
        self._receipt_is_new(change)
        self._hold(cart.cart_id, holding, 1 + len(cart.lines) + (change.receipt is not None))
        self.carts[cart.cart_id] = copy.deepcopy(cart)
        self._commit_receipt(cart.cart_id, change)

    def get(self, cart_id: str, now: datetime) -> Cart:
        cart = self._stored(cart_id)
        if cart.is_expired(now):
            raise CartNotFound(cart_id)
        return copy.deepcopy(cart)

    def get_for_change(self, cart_id: str, now: datetime) -> Cart:
        return self.get(cart_id, now)

    def add_line(
        self,
        cart_id: str,
        product: Product,
        quantity: int,
        change: Change,
        attributes: Attributes | None = None,
    ) -> Cart:
        cart = copy.deepcopy(self._stored(cart_id))
        cart.add(product, quantity, change, attributes)  # raises before anything is stored
        return self._commit(cart, change)

    def set_quantity(
        self,
        cart_id: str,
        product_id: str,
        quantity: int,
        change: Change,
        attributes: Attributes | None = None,
        price: Decimal | None = None,
    ) -> Cart:
        cart = copy.deepcopy(self._stored(cart_id))
        cart.set_quantity(product_id, quantity, change, attributes, price)
        return self._commit(cart, change)

    def delete(self, cart_id: str, change: Change, lines: Collection[str] | None = None) -> None:
        self._stored(cart_id).check(change)
        self._receipt_is_new(change)
        _, given_back = release(self.carts[cart_id].holds, change.now, all_of_them=True)
        self._hold(cart_id, given_back, 0)
        del self.carts[cart_id]
        self._commit_receipt(cart_id, change)

    def merge(
        self,
        target: Cart,
        source: Cart,
        merged: Cart,
        change: Change,
        counts: Sequence[HolderCount] = (),
    ) -> Cart:
        self._unchanged(target, source)
        self._receipt_is_new(change)
        self._hold(target.cart_id, HoldChanges([], list(counts)), 0)
        del self.carts[source.cart_id]
        return self._commit(copy.deepcopy(merged), change)

    def merges_started_before(self, moment: datetime) -> list[str]:
        return []  # merges here always happen at once

    def finish_merge(self, target_id: str, change: Change) -> bool:
        self._stored(target_id)
        return False  # none is ever in steps: nothing to finish

    def save(self, decided: Decided, change: Change) -> Cart:
        self._unchanged(decided.before)
        customer_id = decided.before.customer_id
        for promotion in decided.counted:
            uses = self.promotions.uses(promotion.promotion_id, customer_id)
            promotion.check_uses(*uses, at_checkout=True)
        self._receipt_is_new(change)
        # Beside the takes, DynamoDB's transaction holds the row, the changed lines, the
        # promotions' counters, the holders' counts and the receipt: the limit is its, so the
        # count is too.
        counters = sum(len(use_counts(p, customer_id)) for p in decided.counted)
        old = {line.product_id: line for line in decided.before.lines}
        new = {line.product_id: line for line in decided.after.lines}
        lines = sum(old.get(pid) != new.get(pid) for pid in old.keys() | new.keys())
        beside = 1 + lines + counters + (change.receipt is not None)
        holding = HoldChanges(list(decided.takes), list(decided.counts))
        self._hold(decided.before.cart_id, holding, beside)
        for promotion in decided.counted:
            self.promotions.count_use(promotion.promotion_id, customer_id)
        return self._commit(copy.deepcopy(decided.after), change)

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

    def _hold(self, cart_id: str, holding: HoldChanges | None, beside: int) -> None:
        """The holders' counts (within their caps) and the units taken or given back, as
        DynamoDB's transaction does them: all or none."""
        if holding is None:
            return
        for count in holding.counts:
            held = self.hold_counts.get(count.holder, 0)
            if count.cap is not None and held > count.cap - count.units:
                raise HoldCapReached(count.holder)
        check_fits(cart_id, holding.takes, beside + len(holding.counts))
        self.stock.take(holding.takes, cart_id)
        for count in holding.counts:
            self.hold_counts[count.holder] = self.hold_counts.get(count.holder, 0) + count.units

    def _commit(self, cart: Cart, change: Change) -> Cart:
        self._receipt_is_new(change)
        self.carts[cart.cart_id] = cart
        self._commit_receipt(cart.cart_id, change)
        return copy.deepcopy(cart)

    def _receipt_is_new(self, change: Change) -> None:
        if change.receipt is not None and change.receipt.key in self.receipts.receipts:
            raise RequestAlreadyApplied()

    def _commit_receipt(self, cart_id: str, change: Change) -> None:
        if change.receipt is not None:
            receipt, reply = change.receipt._replace(reply=None), change.receipt.reply
            stored = StoredReceipt(receipt, cart_id, copy.deepcopy(reply))
            self.receipts.receipts[change.receipt.key] = stored

    def _unchanged(self, *read: Cart) -> None:
        for cart in read:
            if self._stored(cart.cart_id).version != cart.version:
                raise ConcurrentUpdate(cart.cart_id)

    def _stored(self, cart_id: str) -> Cart:
        if cart_id not in self.carts:
            raise CartNotFound(cart_id)
        return self.carts[cart_id]


class InMemoryHoldSweep(HoldSweep):
    """The lapsed holds of the carts of an InMemoryCartRepository, given back."""

    def __init__(self, carts: InMemoryCartRepository) -> None:
        self._carts = carts

    def release_lapsed(self, now: datetime, product_id: str | None = None) -> int:
        returned = 0
        for cart in self._carts.carts.values():
            if product_id is not None and product_id not in cart.holds:
                continue
            gone = cart.status != ACTIVE or cart.is_expired(now)
            kept, given_back = release(cart.holds, now, all_of_them=gone)
            if given_back.takes:
                self._carts._hold(cart.cart_id, given_back, 0)
                cart.holds = kept
                cart.version += 1
                returned -= sum(take.units for take in given_back.takes)
        return returned


class InMemoryCodeAttempts(CodeAttempts):
    """Counted under a lock, as DynamoDB's ADD is atomic."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def count(self, scope: str, window: AttemptWindow) -> int:
        return self._add(scope, window, 1)

    def take_back(self, scope: str, window: AttemptWindow) -> None:
        self._add(scope, window, -1)

    def _add(self, scope: str, window: AttemptWindow, codes: int) -> int:
        with self._lock:
            count = self.counts.get((scope, window.name), 0) + codes
            self.counts[(scope, window.name)] = count
            return count


TEST_KEYS = KeyRing.parse('{"current": "t1", "t1": "test-key-for-unit-tests"}')


def fixed_keys() -> KeyRing:
    return TEST_KEYS


class InMemoryProductRepository(ProductRepository):
    """The catalog with its stock: a product put keeps the levels it has, if it has any."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self.products: dict[str, Product] = {}
        self.reads = 0
        self.put_many(products)

    def get_many(
        self, product_ids: Collection[str], shard_counts: Mapping[str, int] | None = None
    ) -> dict[str, Product]:
        self.reads += 1
        return {pid: self.products[pid] for pid in product_ids if pid in self.products}

    def put_many(self, products: Iterable[Product]) -> None:
        for product in products:
            known = self.products.get(product.product_id)
            if known is not None and known.stock_levels is not None:
                product = product._replace(stock_levels=known.stock_levels)
            self.products[product.product_id] = product

    def set_stock(self, levels: Mapping[str, tuple[int, ...]]) -> None:
        for pid, shards in levels.items():
            self.products[pid] = self.products[pid]._replace(stock_levels=shards)

    def take(self, takes: Sequence[StockTake], cart_id: str) -> None:
        """Every take, or none when a shard holds too few (ConcurrentUpdate), as a
        checkout's transaction does."""
        levels = {pid: list(p.stock_levels or ()) for pid, p in self.products.items()}
        for take in takes:
            shards = levels[take.product_id]
            if take.shard >= len(shards) or not has_units(shards[take.shard], take):
                raise StockMoved(cart_id)
            shards[take.shard] -= take.units
        for pid in {take.product_id for take in takes}:
            self.products[pid] = self.products[pid]._replace(stock_levels=tuple(levels[pid]))


class InMemoryStockLedger(StockLedger):
    """The shop's adjustments, on the in-memory catalog: with their receipt, all or none."""

    def __init__(self, products: InMemoryProductRepository, receipts: InMemoryReceiptStore) -> None:
        self.products = products
        self.receipts = receipts

    def adjust(self, product_id: str, moves: Sequence[StockTake], change: Change) -> None:
        if change.receipt is not None and change.receipt.key in self.receipts.receipts:
            raise RequestAlreadyApplied()
        self.products.take(moves, product_id)
        if change.receipt is not None:
            stored = StoredReceipt(change.receipt, product_id, None)
            self.receipts.receipts[change.receipt.key] = stored


class InMemoryRateRepository(RateRepository):
    """Rate files as the loader puts them (checked by their parsers)."""

    def __init__(self, rates: Rates = NO_RATES) -> None:
        self.rates = rates

    def get(self) -> Rates:
        return self.rates

    def put(self, name: str, document: Any) -> None:
        if name == DELIVERY:
            self.rates = self.rates._replace(delivery=parse_delivery_rates(document))
        else:
            self.rates = self.rates._replace(tax=parse_tax_rates(document))


def pricing(
    products: ProductRepository,
    promotions: PromotionRepository | None = None,
    rates: Rates = NO_RATES,
) -> Pricing:
    """The service's pricing over in-memory repositories, nothing cached."""
    return Pricing(
        Catalog(products, 0),
        Promotions(promotions or InMemoryPromotionRepository(), 0),
        RateTables(InMemoryRateRepository(rates), 0),
    )


class InMemoryPromotionRepository(PromotionRepository):
    def __init__(self, promotions: Iterable[Promotion] = ()) -> None:
        self.promotions = {promotion.promotion_id: promotion for promotion in promotions}
        self.counts: dict[tuple[str, str | None], int] = {}
        self.reads = 0

    def all(self) -> list[Promotion]:
        self.reads += 1
        return sorted(self.promotions.values(), key=lambda p: p.promotion_id)

    def put_many(self, promotions: Iterable[Promotion]) -> None:
        self.promotions.update((p.promotion_id, p) for p in promotions)

    def uses(self, promotion_id: str, customer_id: str | None) -> tuple[int, int]:
        mine = self.counts.get((promotion_id, customer_id), 0) if customer_id else 0
        return self.counts.get((promotion_id, None), 0), mine

    def count_use(self, promotion_id: str, customer_id: str | None) -> None:
        for key in [(promotion_id, None), *([(promotion_id, customer_id)] if customer_id else [])]:
            self.counts[key] = self.counts.get(key, 0) + 1
