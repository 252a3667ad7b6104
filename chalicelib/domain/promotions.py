"""Promotions: what a discount is, and whether it may apply to a cart now. Pure Python.

A promotion with a `code` applies once the shopper enters the code; one without applies by
itself whenever its conditions hold. Why one does not apply is a `reason`, the contract's
word for it; `reason_against` checks them in a fixed order so that MIN_SUBTOTAL, checked
last, means "the only condition missing is the subtotal" (what approachingDiscounts lists).
Whether uses remain is not a condition of the view: it is checked when a code is entered
and, exactly, in the checkout's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from chalicelib.domain.errors import DiscountCodeInvalid, DiscountUsedUpAtCheckout
from chalicelib.domain.money import Money

PERCENT_OFF_CART = "PERCENT_OFF_CART"
AMOUNT_OFF_CART = "AMOUNT_OFF_CART"
PERCENT_OFF_PRODUCTS = "PERCENT_OFF_PRODUCTS"
KINDS = (PERCENT_OFF_CART, AMOUNT_OFF_CART, PERCENT_OFF_PRODUCTS)

MAX_CODES_PER_CART = 5
DISCOUNT_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
"""A code as the shopper types it; codes compare without regard to case (stored upper)."""
DISCOUNT_CODE_RULE = "must be 1 to 40 characters from A-Z a-z 0-9 _ -"

UNKNOWN = "UNKNOWN"
NOT_STARTED = "NOT_STARTED"
EXPIRED = "EXPIRED"
USED_UP = "USED_UP"
MIN_SUBTOTAL = "MIN_SUBTOTAL"
NOT_APPLICABLE = "NOT_APPLICABLE"
CURRENCY = "CURRENCY"
TOO_MANY = "TOO_MANY"
SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"


class Promotion(NamedTuple):
    promotion_id: str
    title: str
    kind: str
    value: Decimal
    """Percent off (0 < value <= 100), or, for AMOUNT_OFF_CART, the amount in `currency`."""
    code: str | None = None
    """None: automatic."""
    currency: str | None = None
    """The carts it applies to (None: any; needed for an amount or a minimum)."""
    product_ids: frozenset[str] = frozenset()
    """PERCENT_OFF_PRODUCTS: the products it takes a percentage of."""
    min_subtotal: Decimal | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    """The first moment it no longer applies."""
    stackable: bool = True
    usage_limit: int | None = None
    """Checkouts using it, at most (None: unlimited)."""
    usage_limit_per_customer: int | None = None

    @property
    def is_limited(self) -> bool:
        return self.usage_limit is not None or self.usage_limit_per_customer is not None

    def reason_against(
        self,
        currency: str,
        customer_id: str | None,
        subtotal: Money,
        product_ids: Collection[str],
        now: datetime,
    ) -> str | None:
        """Why it cannot apply to a cart with this subtotal and these available products
        now, or None when it can."""
        if self.starts_at is not None and now < self.starts_at:
            return NOT_STARTED
        if self.ends_at is not None and now >= self.ends_at:
            return EXPIRED
        if self.currency is not None and self.currency != currency:
            return CURRENCY
        if self.usage_limit_per_customer is not None and customer_id is None:
            return SIGN_IN_REQUIRED
        if self.kind == PERCENT_OFF_PRODUCTS and self.product_ids.isdisjoint(product_ids):
            return NOT_APPLICABLE
        if self.min_subtotal is not None and subtotal.amount < self.min_subtotal:
            return MIN_SUBTOTAL
        return None

    def check_applies(
        self,
        currency: str,
        customer_id: str | None,
        subtotal: Money,
        product_ids: Collection[str],
        now: datetime,
    ) -> None:
        """Refuse a code entered for a cart it cannot apply to now, saying why; a code whose
        promotion has not started is refused as an unknown one, so that guessing codes
        cannot find the unreleased ones."""
        reason = self.reason_against(currency, customer_id, subtotal, product_ids, now)
        if reason == NOT_STARTED:
            reason = UNKNOWN
        if reason is not None:
            raise DiscountCodeInvalid(self.code or self.promotion_id, reason)

    def check_uses(self, uses: int, customer_uses: int, at_checkout: bool = False) -> None:
        """Refuse a use beyond its limits, given the checkouts that used it so far (in all,
        and by this cart's customer): a code being entered, or a checkout using it."""
        if (self.usage_limit is not None and uses >= self.usage_limit) or (
            self.usage_limit_per_customer is not None
            and customer_uses >= self.usage_limit_per_customer
        ):
            name = self.code or self.promotion_id
            raise (
                DiscountUsedUpAtCheckout(name)
                if at_checkout
                else DiscountCodeInvalid(name, USED_UP)
            )


class AppliedDiscount(NamedTuple):
    promotion_id: str
    code: str | None
    title: str
    amount: Money


class Approaching(NamedTuple):
    """An automatic promotion that a larger subtotal would unlock."""

    promotion_id: str
    title: str
    amount_remaining: Money
