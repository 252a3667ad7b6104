"""How every cart operation runs: a change by a caller, decided on the carts as read and
retried when they moved; its answer priced, and never an error once it committed.

`Changes` is what CartService (operations.py) and DiscountCodes (discount_codes.py) hold
and run their operations through; neither inherits from it.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import Any, Generic, NamedTuple, TypeVar

from chalicelib import telemetry
from chalicelib.domain.access import TRUSTED_CALLER, Caller
from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import (
    CartNotFound,
    ChangeApplied,
    ConcurrentUpdate,
    HoldCapReached,
    InsufficientStock,
    StockMoved,
    StorageUnavailable,
)
from chalicelib.domain.pricing import PricedCart
from chalicelib.domain.receipts import Receipt
from chalicelib.service.holding import Holding
from chalicelib.service.ports import CartRepository, Decided
from chalicelib.service.pricing import Pricing

T = TypeVar("T")
Shown = TypeVar("Shown")

log = logging.getLogger(__name__)

DEFAULT_LIFETIME = timedelta(days=30)
READ_AND_WRITE_ATTEMPTS = 3
"""A change decided on carts as read: when one changed meanwhile, read and decide again."""
STOCK_ATTEMPTS = 20
"""A checkout whose stock another checkout took meanwhile: read the levels and decide again.
Each such retry means another checkout took units, so under a flash sale a checkout ends
with the units or with INSUFFICIENT_STOCK long before this many."""


@contextmanager
def committed(cart_id: str) -> Iterator[None]:
    """After a change committed, whatever fails (a catalog that cannot be read, a bug) is
    not an error of the request: ChangeApplied (answered 202), logged unless expected."""
    try:
        yield
    except StorageUnavailable:
        raise ChangeApplied(cart_id) from None
    except Exception:
        log.exception("cart %s changed, but its answer failed", cart_id)
        raise ChangeApplied(cart_id) from None


class Answer(Generic[Shown]):
    """How the edge answers a keyed request, given what it shows (the cart it leaves, priced;
    for a create, the created cart): the reply as its receipt keeps it. A change that knows
    its cart before writing (one decided on a read, a create) stores that reply with the
    receipt, in the change's own write; once that write commits, `kept` is the reply and
    `shown` what it shows, and the edge writes no reply after it. Otherwise both stay None,
    and the edge keeps the reply it builds afterwards."""

    def __init__(self, render: Callable[[Shown], dict[str, Any]]) -> None:
        self._render = render
        self.kept: dict[str, Any] | None = None
        self.shown: Shown | None = None

    def written(self, change: Change, shown: Shown, write: Callable[[Change], T]) -> T:
        """`write` the change with its receipt holding the answer that shows `shown`; once
        it committed, that answer is `kept`."""
        assert change.receipt is not None
        reply = self._render(shown)
        written = write(change._replace(receipt=change.receipt._replace(reply=reply)))
        self.kept, self.shown = reply, shown
        return written


class RequestContext(NamedTuple):
    """Who asks and on what terms, built once at the edge for every operation: the caller,
    the version the client named (If-Match), a keyed request's receipt (and how its answer
    is built), the request's id and the client's address."""

    caller: Caller = TRUSTED_CALLER
    expected_version: int | None = None
    receipt: Receipt | None = None
    request_id: str | None = None
    """The request's id, recorded with the change (its event carries it)."""
    client_address: str | None = None
    """The connection's source address (API Gateway's `sourceIp`); None when invoked
    directly."""
    answer: Answer[Any] | None = None
    """A keyed request's answer, for a change that stores it with its receipt."""


TRUSTED_REQUEST = RequestContext()
"""A trusted caller's request without If-Match or key (tests, sweepers)."""


class Changes:
    def __init__(
        self,
        carts: CartRepository,
        pricing: Pricing,
        holding: Holding,
        lifetime: timedelta = DEFAULT_LIFETIME,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._carts = carts
        self._pricing = pricing
        self.holding = holding
        self._lifetime = lifetime
        self._clock = clock

    def read(self, cart_id: str, caller: Caller, now: datetime, decisive: bool = False) -> Cart:
        self.may_name(cart_id, caller)
        read = self._carts.get_for_change if decisive else self._carts.get
        cart = read(cart_id, now)
        if not cart.belongs_to(caller.owner):
            raise CartNotFound(cart_id)
        return cart

    def decide(
        self,
        cart_id: str,
        context: RequestContext,
        decide: Callable[[Cart, Change], None],
        event: str,
        product_id: str | None = None,
        stock_of: Collection[str] = (),
        conflicts: int = READ_AND_WRITE_ATTEMPTS,
    ) -> PricedCart:
        """A change the domain decides (`decide` raises its refusal) on the cart read whole,
        saved pinned to the version read: the service reads, the domain decides, the
        adapter writes. The lines it changes hold units of products that ask for holds,
        planned on the levels of the products `stock_of` names, read alongside the cart.
        `conflicts`: how many times it is decided on a cart that moved before it fails."""

        def read_decide_write(change: Change) -> Cart:
            current = self.holding.levels_soon(stock_of)
            cart = self.read(cart_id, context.caller, change.now, decisive=True)
            decided = copy.deepcopy(cart)
            decide(decided, change)
            held = self.holding.hold(cart, decided, change, current())
            return self.save(
                Decided(cart, decided, event, product_id, takes=held.takes, counts=held.counts),
                change,
                context.answer,
            )

        return self.on_fresh_reads(cart_id, context, read_decide_write, conflicts)

    def one_line(
        self,
        cart_id: str,
        context: RequestContext,
        write: Callable[[Change], Cart],
        decide: Callable[[Cart, Change], None],
        event: str,
        product_id: str,
    ) -> PricedCart:
        """A change to one line: `write` makes it blind (its rules are the write's own
        condition) and reads the cart back, two round trips that no concurrent change can
        refuse. A keyed one is decided on a read instead, its answer stored with its
        receipt in its own write: two round trips, where the blind write would need a third
        to keep the answer. When the cart moves under that write, it is made blind after all
        (and its answer kept after it)."""
        if context.receipt is not None and context.answer is not None:
            with suppress(ConcurrentUpdate):  # it moved (counted in ConditionalConflicts)
                return self.decide(cart_id, context, decide, event, product_id, conflicts=1)
        return self.on_fresh_reads(cart_id, context, write)

    def save(self, decided: Decided, change: Change, answer: Answer[PricedCart] | None) -> Cart:
        """Write a decided change. A keyed one's answer is known before the write: the cart
        as decided, priced. It goes in the receipt, committed with the change."""
        if answer is None or change.receipt is None:
            return self._carts.save(decided, change)
        priced = self.priced(decided.after)
        return answer.written(change, priced, lambda answered: self._carts.save(decided, answered))

    def on_fresh_reads(
        self,
        cart_id: str,
        context: RequestContext,
        read_and_write: Callable[[Change], Cart],
        conflicts: int = READ_AND_WRITE_ATTEMPTS,
    ) -> PricedCart:
        """Run a change (`attempts`) and answer with the cart it left, priced (as its answer
        priced it, when that was stored with its receipt)."""
        changed = self.attempts(cart_id, context, read_and_write, conflicts)
        shown = None if context.answer is None else context.answer.shown
        if isinstance(shown, PricedCart) and shown.cart is changed:
            return shown
        return self.answer(changed)

    def attempts(
        self,
        cart_id: str | None,
        context: RequestContext,
        attempt: Callable[[Change], T],
        conflicts_allowed: int = READ_AND_WRITE_ATTEMPTS,
    ) -> T:
        """Run a change; when the carts it was decided on changed before the write (the
        repository raises ConcurrentUpdate), read again and decide again, a few times; when
        the stock it took from changed (StockMoved), up to STOCK_ATTEMPTS times. When its
        holds would pass their holder's cap, decide again holding no more units; when it
        finds too few units, once more after giving back the product's lapsed holds."""
        conflicts = stock_moves = 0
        may_hold, reclaimed = True, False
        while True:
            change = self.change(context, cart_id)._replace(may_hold=may_hold)
            try:
                return attempt(change)
            except HoldCapReached:
                telemetry.count("HoldsCapped")
                may_hold = False
                continue
            except InsufficientStock as short:
                if reclaimed or not self.holding.reclaim(short, change.now):
                    raise
                reclaimed = True
                continue
            except StockMoved:
                telemetry.count("StockContention")
                stock_moves += 1
                if stock_moves < STOCK_ATTEMPTS:
                    continue
                raise ConcurrentUpdate(cart_id or "new") from None
            except ConcurrentUpdate:
                conflicts += 1
                if conflicts < conflicts_allowed:
                    continue
                raise ConcurrentUpdate(cart_id or "new") from None

    def change(self, context: RequestContext, cart_id: str | None = None) -> Change:
        """A change now by the context's caller, keeping the cart for its lifetime from now
        (whole seconds, as TTL); a cart the caller may not even name is not found."""
        if cart_id is not None:
            self.may_name(cart_id, context.caller)
        now = self._clock()
        expires_at = (now + self._lifetime).replace(microsecond=0)
        owner, change_id = context.caller.owner, uuid.uuid4().hex
        return Change(
            now,
            expires_at,
            context.expected_version,
            owner,
            change_id,
            context.receipt,
            context.request_id,
            self.holding.holder(context.caller, context.client_address),
        )

    @staticmethod
    def may_name(cart_id: str, caller: Caller) -> None:
        """A cart the caller may not even name is not found."""
        if not caller.may_name(cart_id):
            raise CartNotFound(cart_id)

    def answer(self, changed: Cart) -> PricedCart:
        """The changed cart, priced (see `committed`)."""
        with committed(changed.cart_id):
            return self.priced(changed)

    def priced(self, cart: Cart) -> PricedCart:
        return self._pricing.price(cart, self._clock())
