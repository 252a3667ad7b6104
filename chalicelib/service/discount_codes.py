"""The discount-code operations of the contract: entering a code (counted against guessing,
domain/attempts.py) and removing one. CartService (operations.py) holds these and the rest,
each run through `Changes` (changes.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import Future, wait
from datetime import datetime

from chalicelib.domain import attempts
from chalicelib.domain.attempts import MAX_REFUSED_CODES_PER_ADDRESS
from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import DiscountCodeInvalid
from chalicelib.domain.events import CART_UPDATED
from chalicelib.domain.pricing import PricedCart
from chalicelib.domain.promotions import UNKNOWN, Promotion
from chalicelib.parallel import in_background
from chalicelib.service.changes import TRUSTED_REQUEST, Changes, RequestContext
from chalicelib.service.ports import CartRepository, CodeAttempts, Decided
from chalicelib.service.pricing import Pricing


class DiscountCodes:
    def __init__(
        self,
        changes: Changes,
        carts: CartRepository,
        pricing: Pricing,
        attempts: CodeAttempts,
        codes_per_address: int = MAX_REFUSED_CODES_PER_ADDRESS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._changes = changes
        self._carts = carts
        self._pricing = pricing
        self._attempts = attempts
        self._codes_per_address = codes_per_address
        self._clock = clock

    def enter_discount_code(
        self,
        cart_id: str,
        code: str,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        """Add a code to the cart, if its promotion may apply to the cart as it is now and
        has uses left (one already entered changes nothing). The code counts against
        guessing before it is checked, and is taken back once accepted: past the limits of
        the hour on this cart, by this shopper or from this address, TooManyAttempts
        (domain/attempts.py)."""
        code = code.upper()
        self._changes.may_name(cart_id, context.caller)
        counted = attempts.counters(
            cart_id, context.caller, context.client_address, self._codes_per_address
        )
        window = attempts.window_at(self._clock())
        counts = [  # each scope at once, and with the cart's read
            in_background(self._attempts.count, counter.scope, window) for counter in counted
        ]
        taken_back: list[Future[None]] = []

        def enter(change: Change) -> Cart:
            terms = self._pricing.terms_soon()
            cart = self._changes.read(cart_id, context.caller, change.now, decisive=True)
            numbers = [count.result() for count in counts]
            attempts.check_counts(numbers, counted, window, change.now)
            entered = self._entered(cart, code, terms().promotions, change)
            if not taken_back:  # accepted: no guess (taken back while the change is written)
                taken_back.extend(
                    in_background(self._attempts.take_back, counter.scope, window)
                    for counter in counted
                )
            if entered is cart:
                return cart
            return self._changes.save(Decided(cart, entered, CART_UPDATED), change, context.answer)

        try:
            return self._changes.on_fresh_reads(cart_id, context, enter)
        finally:
            wait(counts)  # never a call left running after the request
            wait(taken_back)

    def _entered(self, cart: Cart, code: str, promotions: list[Promotion], change: Change) -> Cart:
        """The cart with `code` entered (`cart` itself when it holds the code already), or
        the refusal that names why not."""
        cart.check(change)
        promotion = next((p for p in promotions if p.code == code), None)
        if promotion is None:
            raise DiscountCodeInvalid(code, UNKNOWN)
        if code in cart.discount_codes:
            return cart
        entered = copy.deepcopy(cart)
        entered.enter_code(code, change)
        priced = self._pricing.price(cart, change.now).discounts
        promotion.check_applies(
            cart.currency, cart.customer_id, priced.subtotal, priced.lines, change.now
        )
        if promotion.is_limited:
            promotion.check_uses(*self._pricing.promotions.uses(promotion, cart.customer_id))
        return entered

    def remove_discount_code(
        self,
        cart_id: str,
        code: str,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        def remove(cart: Cart, change: Change) -> None:
            cart.remove_code(code.upper(), change)

        return self._changes.decide(cart_id, context, remove, CART_UPDATED)
