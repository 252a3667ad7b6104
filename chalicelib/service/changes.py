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
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

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


class RequestContext(NamedTuple):
    """Who asks and on what terms, built once at the edge for every operation: the caller,
    the version the client named (If-Match), a keyed request's receipt, the request's id
    and the client's address."""

    caller: Caller = TRUSTED_CALLER
    expected_version: int | None = None
    receipt: Receipt | None = None
    request_id: str | None = None
    """The request's id, recorded with the change (its event carries it)."""
    client_address: str | None = None
    """The connection's source address (API Gateway's `sourceIp`); None when invoked
    directly."""


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
    ) -> PricedCart:
        """A change the domain decides (`decide` raises its refusal) on the cart read whole,
        saved pinned to the version read: the service reads, the domain decides, the
        adapter writes. The lines it changes hold units of products that ask for holds,
        planned on the levels of the products `stock_of` names, read alongside the cart."""

        def read_decide_write(change: Change) -> Cart:
            current = self.holding.levels_soon(stock_of)
            cart = self.read(cart_id, context.caller, change.now, decisive=True)
            decided = copy.deepcopy(cart)
            decide(decided, change)
            held = self.holding.hold(cart, decided, change, current())
            return self._carts.save(
                Decided(cart, decided, event, product_id, takes=held.takes, counts=held.counts),
                change,
            )

        return self.on_fresh_reads(cart_id, context, read_decide_write)

    def on_fresh_reads(
        self,
        cart_id: str,
        context: RequestContext,
        read_and_write: Callable[[Change], Cart],
    ) -> PricedCart:
        """Run a change (`attempts`) and answer with the cart it left, priced."""
        return self.answer(self.attempts(cart_id, context, read_and_write))

    def attempts(
        self, cart_id: str | None, context: RequestContext, attempt: Callable[[Change], T]
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
                if conflicts < READ_AND_WRITE_ATTEMPTS:
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
