"""Prices a cart against the catalog and the promotions: line totals, item count, discounts
and total, all exact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.cart import CHECKED_OUT, Cart, CartLine, Product
from chalicelib.domain.discounts import Discounts, discounts_for
from chalicelib.domain.money import Money
from chalicelib.domain.promotions import MIN_SUBTOTAL, Approaching, Promotion
from chalicelib.domain.warnings import LineWarning


class PricedLine(NamedTuple):
    line: CartLine
    unit_price: Money | None
    """None when the product left the catalog (or is now priced in another currency)."""

    @property
    def available(self) -> bool:
        return self.unit_price is not None

    @property
    def line_total(self) -> Money | None:
        return None if self.unit_price is None else self.unit_price.times(self.line.quantity)


class PricedCart(NamedTuple):
    cart: Cart
    lines: list[PricedLine]
    item_count: int
    discounts: Discounts
    """The subtotal, each line's discount, the promotions applied and their total."""
    warnings: list[LineWarning]
    """What the shopper should know before checking out (none once checked out)."""
    approaching: tuple[Approaching, ...] = ()
    """Automatic promotions a larger subtotal would unlock (none once checked out)."""

    @property
    def subtotal(self) -> Money:
        return self.discounts.subtotal

    @property
    def total(self) -> Money:
        """What the shopper pays: the subtotal less the discounts, never below zero."""
        return self.discounts.amount_due


def price_cart(
    cart: Cart,
    catalog: Mapping[str, Product],
    promotions: Sequence[Promotion] = (),
    now: datetime | None = None,
) -> PricedCart:
    """Price every line at the catalog's current price, with the promotions that apply now,
    or, once the cart is checked out, at the prices and discounts frozen then; unavailable
    lines count for nothing."""
    lines = []
    for line in cart.lines:
        price: Money | None
        if cart.status == CHECKED_OUT:
            price = cart.checkout_prices.get(line.product_id)
        else:
            product = catalog.get(line.product_id)
            price = product.unit_price if product and product.currency == cart.currency else None
        lines.append(PricedLine(line, price))
    item_count = sum(line.quantity for line in cart.lines)
    totals = [(p.line.product_id, p.line_total) for p in lines if p.line_total is not None]
    if cart.status == CHECKED_OUT:
        frozen = cart.checkout_discounts or Discounts.none(totals, cart.currency)
        return PricedCart(cart, lines, item_count, frozen, [])
    applicable, approaching = promotions_for(cart, totals, promotions, now or cart.updated_at)
    discounts = discounts_for(totals, applicable, cart.currency)
    warnings = cart.warnings(catalog)
    return PricedCart(cart, lines, item_count, discounts, warnings, tuple(approaching))


def promotions_for(
    cart: Cart,
    line_totals: Sequence[tuple[str, Money]],
    promotions: Sequence[Promotion],
    now: datetime,
) -> tuple[list[Promotion], list[Approaching]]:
    """The promotions that apply to the cart now (the automatic ones and those of its codes
    whose conditions hold), and the automatic ones only its subtotal keeps from applying."""
    subtotal = Money.zero(cart.currency)
    for _, total in line_totals:
        subtotal = subtotal + total
    product_ids = [product_id for product_id, _ in line_totals]
    codes = set(cart.discount_codes)
    applicable, approaching = [], []
    for promotion in promotions:
        if promotion.code is not None and promotion.code not in codes:
            continue
        reason = promotion.reason_against(
            cart.currency, cart.customer_id, subtotal, product_ids, now
        )
        if reason is None:
            applicable.append(promotion)
        elif reason == MIN_SUBTOTAL and promotion.code is None and promotion.min_subtotal:
            remaining = Money(promotion.min_subtotal - subtotal.amount, cart.currency)
            approaching.append(Approaching(promotion.promotion_id, promotion.title, remaining))
    return applicable, approaching
