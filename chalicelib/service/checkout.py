"""Checkout: the cart frozen at the catalog's prices and the discounts of now, the uses of
limited promotions counted, its stock taken and its holds converted, all in one transaction
pinned to the version read.

One transaction holds 100 items. A cart whose takes do not fit in it beside its row, its
receipt and its counters (a cart at the line limit, every line's stock counted) holds its
units first, in steps: each step one transaction of the cart's row and as many lines' takes
as fit (domain/holds.hold_for_checkout), pinned like any change and of the kind HOLDS_MOVED
(no event). Held units need no take, so the checkout's own transaction then fits: it only
converts them. A checkout refused after a step gives back the units it held (or they lapse
within CHECKOUT_HOLD_MINUTES), so that a refused checkout changes nothing that lasts.
"""

from __future__ import annotations

import copy
import logging
import random

from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import CartServiceError, ChangeApplied, CheckoutTooLarge
from chalicelib.domain.events import CART_CHECKED_OUT, HOLDS_MOVED
from chalicelib.domain.holds import give_back, hold_for_checkout
from chalicelib.domain.pricing import PricedCart
from chalicelib.domain.products import Product
from chalicelib.service.changes import Changes, RequestContext
from chalicelib.service.ports import CartRepository, Decided
from chalicelib.service.pricing import Pricing

log = logging.getLogger(__name__)


class Checkout:
    def __init__(self, changes: Changes, carts: CartRepository, pricing: Pricing) -> None:
        self._changes = changes
        self._carts = carts
        self._pricing = pricing
        self._catalog = pricing.catalog
        self._shards = random.Random()  # where a checkout starts taking a product's units

    def run(self, cart_id: str, accept_price_changes: bool, context: RequestContext) -> PricedCart:
        held_in_steps: set[str] = set()  # the products its steps hold anew
        # The version it is decided on: the client's If-Match, then what its steps wrote.
        own_version = context.expected_version

        def check_out(change: Change) -> Cart:
            nonlocal own_version
            while True:
                change = change._replace(expected_version=own_version)
                cart, catalog, decided = self._decide(
                    cart_id, accept_price_changes, context, change
                )
                try:
                    return self._changes.save(decided, change, context.answer)
                except CheckoutTooLarge:
                    lines = {line.product_id: line.quantity for line in cart.lines}
                    holds, held = hold_for_checkout(
                        cart.holds, lines, catalog, change.now, self._shards
                    )
                    if not held.takes:  # nothing more to hold: too large whatever it holds
                        raise
                    step = copy.deepcopy(cart)
                    step.hold(holds, change)
                    moved = Decided(cart, step, HOLDS_MOVED, takes=held.takes, counts=held.counts)
                    self._carts.save(moved, change._replace(receipt=None))
                    held_in_steps.update(pid for pid in holds if pid not in cart.holds)
                    own_version = None if own_version is None else step.version

        try:
            return self._changes.on_fresh_reads(cart_id, context, check_out)
        except ChangeApplied:
            raise
        except CartServiceError:
            if held_in_steps:
                self._give_back(cart_id, held_in_steps, context)
            raise

    def _decide(
        self, cart_id: str, accept_price_changes: bool, context: RequestContext, change: Change
    ) -> tuple[Cart, dict[str, Product], Decided]:
        """The cart as read, its products as they are now, and the checkout the domain
        decides on them."""
        reading = self._pricing.terms_soon()  # read along with the cart
        cart = self._changes.read(cart_id, context.caller, change.now, decisive=True)
        catalog = self._catalog.get_many([line.product_id for line in cart.lines], current=True)
        terms = reading()
        priced = self._pricing.price_with(cart, catalog, terms, change.now)
        used = {applied.promotion_id for applied in priced.discounts.applied}
        counted = [p for p in terms.promotions if p.promotion_id in used and p.is_limited]
        checked_out = copy.deepcopy(cart)
        stock = checked_out.check_out(
            catalog,
            change,
            accept_price_changes,
            priced.discounts,
            priced.delivery,
            priced.tax,
            priced.tax_included,
            self._shards,
        )
        decided = Decided(
            cart,
            checked_out,
            CART_CHECKED_OUT,
            counted=counted,
            takes=stock.takes,
            counts=stock.counts,
        )
        return cart, catalog, decided

    def _give_back(self, cart_id: str, product_ids: set[str], context: RequestContext) -> None:
        """The units a refused checkout held in steps, given back (best effort: what is not
        lapses)."""
        try:
            change = self._changes.change(context._replace(receipt=None, expected_version=None))
            cart = self._changes.read(cart_id, context.caller, change.now, decisive=True)
            released = copy.deepcopy(cart)
            holds, given_back = give_back(cart.holds, product_ids)
            released.hold(holds, change)
            moved = Decided(
                cart, released, HOLDS_MOVED, takes=given_back.takes, counts=given_back.counts
            )
            self._carts.save(moved, change)
        except CartServiceError as error:
            log.warning("cart %s: held units left to lapse: %s", cart_id, error.detail)
