"""What the service needs from storage and the bus: the ports the adapters implement.

The service talks only to these interfaces; `chalicelib/dynamodb/` implements them for
production and the in-memory one in `tests/fakes.py` serves the fast unit tests.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from chalicelib.domain.attempts import AttemptWindow
from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.events import CartEvent
from chalicelib.domain.holds import HoldChanges, HolderCount
from chalicelib.domain.lines import Attributes
from chalicelib.domain.pricing import Rates
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import Promotion
from chalicelib.domain.receipts import Receipt, StoredReceipt
from chalicelib.domain.stock import StockTake


class Decided(NamedTuple):
    """A change the domain decided on the cart read whole: what the adapter writes."""

    before: Cart
    """The cart as read (the write is pinned to its version)."""
    after: Cart
    event: str
    """The change's kind, for the stream (an events.* name)."""
    product_id: str | None = None
    """The line of an item's event."""
    counted: Sequence[Promotion] = ()
    """Promotions a checkout uses once each, within their limits (DiscountUsedUpAtCheckout
    when one is reached)."""
    takes: Sequence[StockTake] = ()
    """Units taken from the shop's stock (by a checkout or a hold), each from a shard
    holding them (StockMoved when one no longer does: the levels are read again); negative:
    units a released hold gives back."""
    counts: Sequence[HolderCount] = ()
    """The holders' counts the change's holds move (HoldCapReached past a cap)."""


class CartRepository(abc.ABC):
    """Every change commits with its Change's receipt, if it has one, or not at all:
    RequestAlreadyApplied when that receipt's key was used. A change that committed is never
    reported as failed: if the cart cannot be read back afterwards, ChangeApplied."""

    @abc.abstractmethod
    def create(self, cart: Cart, change: Change, holding: HoldChanges | None = None) -> None:
        """Store a new cart, empty or with its first lines (and the change's receipt, if
        any) and the stock its lines hold, all in one write."""

    @abc.abstractmethod
    def get(self, cart_id: str, now: datetime) -> Cart:
        """The cart with its lines, oldest line first; CartNotFound if missing or expired."""

    @abc.abstractmethod
    def get_for_change(self, cart_id: str, now: datetime) -> Cart:
        """The cart as `get` has it, and certainly as one version (row and lines read at
        it): what a change decided on a read needs. ConcurrentUpdate if none was seen."""

    @abc.abstractmethod
    def add_line(
        self,
        cart_id: str,
        product: Product,
        quantity: int,
        change: Change,
        attributes: Attributes | None = None,
    ) -> Cart:
        """Atomically add to a line (or create it) under the cart's rules; the cart after.

        Raises CartNotFound, PreconditionFailed, CurrencyMismatch, QuantityLimitExceeded or
        LineLimitExceeded, and then nothing has changed.
        """

    @abc.abstractmethod
    def set_quantity(
        self,
        cart_id: str,
        product_id: str,
        quantity: int,
        change: Change,
        attributes: Attributes | None = None,
        price: Decimal | None = None,
    ) -> Cart:
        """Atomically set a line's quantity, 0 removing it; the cart after.

        Raises CartNotFound, PreconditionFailed or ItemNotFound, and then nothing changed.
        """

    @abc.abstractmethod
    def delete(self, cart_id: str, change: Change, lines: Collection[str] | None = None) -> None:
        """Delete the cart and every line of it (`lines`: their products, when the change is
        pinned to the version they were read at). Raises CartNotFound, PreconditionFailed."""

    @abc.abstractmethod
    def save(self, decided: Decided, change: Change) -> Cart:
        """Store `decided.after` if the cart is still at `decided.before`'s version:
        ConcurrentUpdate if not (read again). All or nothing; returns the cart as stored."""

    @abc.abstractmethod
    def merge(
        self,
        target: Cart,
        source: Cart,
        merged: Cart,
        change: Change,
        counts: Sequence[HolderCount] = (),
    ) -> Cart:
        """Store `merged`, the domain's merge of `source` into `target` (Cart.merge), with
        the holders' `counts` its holds move, and delete `source`, all or nothing.

        `target` and `source` are the carts as read: if either has changed since, nothing
        happens and ConcurrentUpdate is raised (read them again and retry). Returns the
        target as stored afterwards.
        """

    @abc.abstractmethod
    def merges_started_before(self, moment: datetime) -> list[str]:
        """The targets of merges in steps that started before `moment` (none finished)."""

    @abc.abstractmethod
    def finish_merge(self, target_id: str, change: Change) -> bool:
        """Finish the merge in steps that `target_id` receives, committing its receipt;
        False when it receives none (any more: the index of merges in progress lags)."""

    @abc.abstractmethod
    def list_for_customer(
        self, customer_id: str, limit: int, after: dict[str, str] | None, now: datetime
    ) -> tuple[list[Cart], dict[str, str] | None]:
        """Up to `limit` of the customer's unexpired carts, newest first, from `after`; and
        where the next page starts (None on the last page). Carts come without their lines'
        names and times: enough for a summary."""

    @abc.abstractmethod
    def count_active(self, customer_id: str, now: datetime) -> int:
        """How many of the customer's carts are active and unexpired."""


class StockLedger(abc.ABC):
    """The shop's own changes to its stock, each applied exactly once."""

    @abc.abstractmethod
    def adjust(self, product_id: str, moves: Sequence[StockTake], change: Change) -> None:
        """Apply `moves` (units taken, or put back when negative) with the change's
        receipt, all or nothing: StockMoved when a shard holds fewer units than a take,
        RequestAlreadyApplied when the receipt's key was used."""


class HoldSweep(abc.ABC):
    """Where lapsed holds are found and given back (domain/holds.py)."""

    @abc.abstractmethod
    def release_lapsed(self, now: datetime, product_id: str | None = None) -> int:
        """Give back the units of every hold lapsed by `now` (every hold of a cart deleted
        or expired), `product_id`'s only if named; the units given back."""


class CodeAttempts(abc.ABC):
    """The discount codes entered and not accepted, by scope and window (domain/attempts.py).
    One scope a call: the service counts a code's scopes at once."""

    @abc.abstractmethod
    def count(self, scope: str, window: AttemptWindow) -> int:
        """One more code for `scope` in `window`, counted atomically (codes sent at once
        each get a count of their own); the count, this code included."""

    @abc.abstractmethod
    def take_back(self, scope: str, window: AttemptWindow) -> None:
        """One code fewer for `scope` in `window`: the code was accepted."""


class ProductRepository(abc.ABC):
    """The catalog, each product with its stock: the units it has to sell, per shard
    (None: not counted, unlimited)."""

    @abc.abstractmethod
    def get_many(
        self, product_ids: Collection[str], shard_counts: Mapping[str, int] | None = None
    ) -> dict[str, Product]:
        """The products of the catalog among `product_ids`, with their stock as it is now;
        absent ones are left out. `shard_counts`: how many shards each is known to have
        (its stock read with it at once; a wrong count costs a read more, not a wrong
        level)."""

    @abc.abstractmethod
    def put_many(self, products: Iterable[Product]) -> None:
        """Insert or replace catalog entries; a product's stock levels count only when its
        stock is not counted yet (a catalog loaded again never puts back units sold)."""

    @abc.abstractmethod
    def set_stock(self, levels: Mapping[str, tuple[int, ...]]) -> None:
        """Each product's stock, per shard, as given, whatever it was (a stocktake)."""


class PromotionRepository(abc.ABC):
    @abc.abstractmethod
    def all(self) -> list[Promotion]:
        """Every promotion, by promotionId."""

    @abc.abstractmethod
    def put_many(self, promotions: Iterable[Promotion]) -> None:
        """Insert or replace promotions (their uses are kept)."""

    @abc.abstractmethod
    def uses(self, promotion_id: str, customer_id: str | None) -> tuple[int, int]:
        """The checkouts that used the promotion so far: in all, and by the customer."""


class RateRepository(abc.ABC):
    """The shop's delivery and tax rates: each table a whole file, loaded all at once."""

    @abc.abstractmethod
    def get(self) -> Rates:
        """Both tables (one not loaded: empty, so nothing is delivered or taxed by it)."""

    @abc.abstractmethod
    def put(self, name: str, document: Any) -> None:
        """Replace one table (DELIVERY or TAX) with a file checked by its parser."""


class ReceiptStore(abc.ABC):
    """Where keyed requests' receipts are found (they are written with their changes)."""

    @abc.abstractmethod
    def get(self, key: str, now: datetime) -> StoredReceipt | None:
        """The receipt under `key`, if one was committed within the last 24 hours."""

    @abc.abstractmethod
    def keep_reply(self, receipt: Receipt, reply: dict[str, Any]) -> None:
        """Keep the first answer with this request's receipt (best effort: once, never
        failing)."""


class EventBus(abc.ABC):
    """Where cart events are published (the stage's EventBridge bus)."""

    @abc.abstractmethod
    def publish(self, events: Sequence[CartEvent]) -> int | None:
        """Publish in order; the index of the first event not published (None: all were)."""


class IdleCarts(abc.ABC):
    """The carts that may be abandoned, and when (written by the stream consumer only)."""

    @abc.abstractmethod
    def watch(self, cart_id: str, version: int, abandon_at: datetime) -> None:
        """The cart, at this version, is abandoned at `abandon_at` unless it changes."""

    @abc.abstractmethod
    def unwatch(self, cart_id: str, version: int) -> None:
        """The cart, at this version, can no longer be abandoned."""

    @abc.abstractmethod
    def due(self, now: datetime, lookback: timedelta) -> list[tuple[str, str]]:
        """(cart id, watched abandonAt) of the carts due by `now`, due since `lookback`."""

    @abc.abstractmethod
    def mark_abandoned(self, cart_id: str, abandon_at: str, idle_since: datetime) -> bool:
        """Mark the cart abandoned (once) if it is as watched and unchanged since
        `idle_since`; whether it was."""
