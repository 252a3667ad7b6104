"""How every cart operation runs: a change by a caller, decided on the carts as read and
retried when they moved; its answer priced, and never an error once it committed.

`Changes` is what CartService (operations.py) and DiscountCodes (discount_codes.py) hold
and run their operations through; neither inherits from it.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib import telemetry
from chalicelib.domain.access import TRUSTED_CALLER, Caller
from chalicelib.domain.cart import Cart, Change
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import (
    CartNotFound,
    ChangeApplied,
    ConcurrentUpdate,
    StockMoved,
    StorageUnavailable,
)
from chalicelib.domain.pricing import PricedCart
from chalicelib.domain.receipts import Receipt
from chalicelib.service.ports import CartRepository, Decided
from chalicelib.service.pricing import Pricing

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
        lifetime: timedelta = DEFAULT_LIFETIME,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._carts = carts
        self._pricing = pricing
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
    ) -> PricedCart:
        """A change the domain decides (`decide` raises its refusal) on the cart read whole,
        saved pinned to the version read: the service reads, the domain decides, the
        adapter writes."""

        def read_decide_write(change: Change) -> Cart:
            cart = self.read(cart_id, context.caller, change.now, decisive=True)
            decided = copy.deepcopy(cart)
            decide(decided, change)
            return self._carts.save(Decided(cart, decided, event, product_id), change)

        return self.on_fresh_reads(cart_id, context, read_decide_write)

    def on_fresh_reads(
        self,
        cart_id: str,
        context: RequestContext,
        read_and_write: Callable[[Change], Cart],
    ) -> PricedCart:
        """Run a change; when the carts it was decided on changed before the write (the
        repository raises ConcurrentUpdate), read again and decide again, a few times; when
        the stock it took from changed (StockMoved), up to STOCK_ATTEMPTS times."""
        conflicts = stock_moves = 0
        while True:
            change = self.change(context, cart_id)
            try:
                changed = read_and_write(change)
            except StockMoved:
                telemetry.count("StockContention")
                stock_moves += 1
                if stock_moves < STOCK_ATTEMPTS:
                    continue
                raise ConcurrentUpdate(cart_id) from None
            except ConcurrentUpdate:
                conflicts += 1
                if conflicts < READ_AND_WRITE_ATTEMPTS:
                    continue
                raise ConcurrentUpdate(cart_id) from None
            return self.answer(changed)

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
