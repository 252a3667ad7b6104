"""Prices a cart against the catalog, the promotions and the rates of delivery and tax: line
totals, item count, discounts, delivery, tax and total, all exact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.cart import CHECKED_OUT, Cart
from chalicelib.domain.delivery import DeliveryOption, DeliveryRates, chosen
from chalicelib.domain.discounts import Discounts, discounts_for
from chalicelib.domain.lines import CartLine
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import MIN_SUBTOTAL, Approaching, Promotion
from chalicelib.domain.tax import TaxableLine, TaxCalculator, TaxRates, TaxRequest, TaxResult
from chalicelib.domain.warnings import HOLD_EXPIRED, TAX_ESTIMATED, UNDELIVERABLE, CartWarning


class Rates(NamedTuple):
    """The shop's delivery and tax rates (none: nothing is delivered, nothing taxed)."""

    delivery: DeliveryRates = DeliveryRates()
    tax: TaxRates = TaxRates()


NO_RATES = Rates()


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
    warnings: list[CartWarning]
    """What the shopper should know before checking out (none once checked out)."""
    approaching: tuple[Approaching, ...] = ()
    """Automatic promotions a larger subtotal would unlock (none once checked out)."""
    delivery_options: tuple[DeliveryOption, ...] = ()
    """What delivery to the cart's address may cost (the one chosen, once checked out)."""
    delivery: DeliveryOption | None = None
    """The option chosen (None: no address, or nobody delivers there)."""
    tax: TaxResult | None = None
    """The tax (None: no address)."""
    tax_included: bool = False
    """Whether the prices include the tax (then the total does not add it)."""

    @property
    def subtotal(self) -> Money:
        return self.discounts.subtotal

    def held_until(self, product_id: str) -> datetime | None:
        """When the line's hold lapses, while it holds units and has not lapsed (then the
        line warns HOLD_EXPIRED instead); None for a line that holds none."""
        hold = self.cart.holds.get(product_id)
        lapsed = any(w.code == HOLD_EXPIRED and w.product_id == product_id for w in self.warnings)
        return None if hold is None or not hold.units or lapsed else hold.until

    @property
    def tax_amount(self) -> Money | None:
        return None if self.tax is None else self.tax.amount(self.cart.currency)

    @property
    def total(self) -> Money:
        """What the shopper pays: the subtotal less the discounts (never below zero), plus
        delivery, plus tax unless the prices include it."""
        total = self.discounts.amount_due
        if self.delivery is not None:
            total = total + self.delivery.amount
        if self.tax_amount is not None and not self.tax_included:
            total = total + self.tax_amount
        return total


def price_cart(
    cart: Cart,
    catalog: Mapping[str, Product],
    promotions: Sequence[Promotion] = (),
    now: datetime | None = None,
    rates: Rates = NO_RATES,
    tax: TaxCalculator | None = None,
) -> PricedCart:
    """Price every line at the catalog's current price, with the promotions that apply now
    and, with an address, delivery and tax (by `tax`, the rate table's by default); or, once
    the cart is checked out, at the prices, discounts, delivery and tax frozen then.
    Unavailable lines count for nothing."""
    if cart.status == CHECKED_OUT:
        return price_checked_out(cart)
    lines = []
    for line in cart.lines:
        product = catalog.get(line.product_id)
        price = product.unit_price if product and product.currency == cart.currency else None
        lines.append(PricedLine(line, price))
    item_count = sum(line.quantity for line in cart.lines)
    totals = [(p.line.product_id, p.line_total) for p in lines if p.line_total is not None]
    applicable, approaching = promotions_for(cart, totals, promotions, now or cart.updated_at)
    discounts = discounts_for(totals, applicable, cart.currency)
    warnings = cart.warnings(catalog, now or cart.updated_at)
    included = rates.tax.includes_tax(cart.currency)
    priced = PricedCart(
        cart, lines, item_count, discounts, warnings, tuple(approaching), tax_included=included
    )
    address = cart.delivery_address
    if address is None:
        return priced
    options = rates.delivery.options(address, discounts.amount_due)
    delivery = chosen(options, cart.delivery_option_id)
    request = TaxRequest(
        address,
        cart.currency,
        included,
        taxable_lines(priced, catalog),
        None if delivery is None else delivery.amount,
    )
    taxes = (tax or rates.tax.calculate)(request)
    undeliverable = [CartWarning(UNDELIVERABLE)] if delivery is None else []
    estimated = [CartWarning(TAX_ESTIMATED)] if taxes.estimated else []
    return priced._replace(
        warnings=[*warnings, *undeliverable, *estimated],
        delivery_options=tuple(options),
        delivery=delivery,
        tax=taxes,
    )


def price_checked_out(cart: Cart) -> PricedCart:
    """A checked-out cart at what checkout froze: its prices, discounts, delivery and tax
    (no catalog, promotion or rate is read for it)."""
    lines = [PricedLine(line, cart.checkout_prices.get(line.product_id)) for line in cart.lines]
    totals = [(p.line.product_id, p.line_total) for p in lines if p.line_total is not None]
    delivery, taxes = cart.checkout_delivery, cart.checkout_tax
    return PricedCart(
        cart,
        lines,
        sum(line.quantity for line in cart.lines),
        cart.checkout_discounts or Discounts.none(totals, cart.currency),
        warnings=[CartWarning(TAX_ESTIMATED)] if taxes and taxes.estimated else [],
        delivery_options=() if delivery is None else (delivery,),
        delivery=delivery,
        tax=taxes,
        tax_included=cart.checkout_tax_included,
    )


def taxable_lines(priced: PricedCart, catalog: Mapping[str, Product]) -> tuple[TaxableLine, ...]:
    """The available lines, each at its total after its share of the discounts."""
    discounts = priced.discounts.lines
    return tuple(
        TaxableLine(
            p.line.product_id,
            catalog[p.line.product_id].tax_category,
            Money(p.line_total.amount - discounts[p.line.product_id].amount, p.line_total.currency),
        )
        for p in priced.lines
        if p.line_total is not None
    )


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
