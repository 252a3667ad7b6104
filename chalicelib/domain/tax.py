"""Tax on a cart: the rates by place, what a calculator is asked and answers, and the rate
table's own calculation. Pure Python, exact.

A tax rule covers a country, or one region of it; every rule covering the address applies
(a country's VAT alone; a state's sales tax alone; a federal and a provincial tax both).
A rule's rate is a percentage, with other rates for some product tax categories (coffee
beans, as food, at a reduced rate) and, if it taxes delivery, its standard rate on the
delivery amount. Prices in some currencies include tax (EUR prices include VAT): the tax
is then the part of the amount that is tax, and the shopper pays no more for it.

Every amount is taken of a line's amount after its discounts and rounded half up to the
minor unit, each line and each rule on its own; what the cart shows adds these rounded
parts up, so the lines' tax, the delivery's and the tax lines always add up to the cart's
tax, to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from chalicelib.domain.delivery import DeliveryAddress
from chalicelib.domain.money import MINOR_DIGITS, Money

TAX_CATEGORY = re.compile(r"[a-z0-9-]{1,40}")
TAX_CATEGORY_RULE = "must be 1 to 40 characters from a-z 0-9 -"


class TaxRule(NamedTuple):
    country: str
    region: str | None
    """None: the whole country."""
    name: str
    rate: Decimal
    """Percent, the standard rate (also delivery's)."""
    category_rates: dict[str, Decimal]
    """Percent, by product tax category: the rate of products of that category."""
    taxes_delivery: bool

    def covers(self, address: DeliveryAddress) -> bool:
        return self.country == address.country and self.region in (None, address.region)

    def rate_for(self, category: str | None) -> Decimal:
        return self.category_rates.get(category or "", self.rate)


class TaxRates(NamedTuple):
    rules: tuple[TaxRule, ...] = ()
    included_in: frozenset[str] = frozenset()
    """The currencies whose prices include tax."""

    def includes_tax(self, currency: str) -> bool:
        return currency in self.included_in

    def calculate(self, request: TaxRequest) -> TaxResult:
        """The tax on the request's lines and delivery by this table's rules."""
        rules = [rule for rule in self.rules if rule.covers(request.address)]
        included = request.prices_include_tax
        lines = {
            line.product_id: _taxes(
                [(rule.name, rule.rate_for(line.tax_category)) for rule in rules],
                line.amount,
                included,
            )
            for line in request.lines
        }
        delivery: tuple[TaxComponent, ...] = ()
        if request.delivery is not None:
            delivery_rates = [(rule.name, rule.rate) for rule in rules if rule.taxes_delivery]
            delivery = _taxes(delivery_rates, request.delivery, included)
        return TaxResult(lines, delivery)


class TaxableLine(NamedTuple):
    product_id: str
    tax_category: str | None
    amount: Money
    """The line's total after its share of the discounts."""


class TaxRequest(NamedTuple):
    """What a tax calculator is asked: the tax on these amounts, delivered there."""

    address: DeliveryAddress
    currency: str
    prices_include_tax: bool
    lines: tuple[TaxableLine, ...]
    delivery: Money | None
    """The delivery amount (None: no delivery option)."""


class TaxComponent(NamedTuple):
    """One tax on one line (or on delivery): its name, rate (percent) and rounded amount."""

    name: str
    rate: Decimal
    amount: Money

    def rate_text(self) -> str:
        """The rate as the contract writes it: "19", "7.25" (no exponent, no trailing zero)."""
        return format(self.rate.normalize(), "f")


class TaxResult(NamedTuple):
    lines: Mapping[str, tuple[TaxComponent, ...]]
    """Each line's taxes, by product."""
    delivery: tuple[TaxComponent, ...] = ()
    estimated: bool = False
    """True when the shop's tax service failed and this is the rate table's estimate."""

    def line_amount(self, product_id: str, currency: str) -> Money:
        return _sum(self.lines.get(product_id, ()), currency)

    def amount(self, currency: str) -> Money:
        return _sum(self.tax_lines(), currency)

    def tax_lines(self) -> list[TaxComponent]:
        """The taxes added up by name and rate, in the order they first appear."""
        totals: dict[tuple[str, Decimal], Decimal] = {}
        currency = None
        for components in (*self.lines.values(), self.delivery):
            for component in components:
                key = (component.name, component.rate)
                totals[key] = totals.get(key, Decimal(0)) + component.amount.amount
                currency = component.amount.currency
        return [
            TaxComponent(name, rate, Money(amount, currency or ""))
            for (name, rate), amount in totals.items()
        ]

    def answers(self, request: TaxRequest) -> bool:
        """Whether it is an answer to `request`: a tax for each of its lines and no other,
        every amount at least zero and exact to the currency's minor unit."""
        if set(self.lines) != {line.product_id for line in request.lines}:
            return False
        digits = MINOR_DIGITS[request.currency]
        return all(
            c.amount.currency == request.currency
            and c.amount.amount >= 0
            and c.amount.amount == c.amount.amount.quantize(Decimal(1).scaleb(-digits))
            for components in (*self.lines.values(), self.delivery)
            for c in components
        )


TaxCalculator = Callable[[TaxRequest], TaxResult]
"""A tax calculator: the rate table's (TaxRates.calculate), or a shop's tax service."""


def _taxes(
    rates: list[tuple[str, Decimal]], base: Money, included: bool
) -> tuple[TaxComponent, ...]:
    """Each rate's tax on `base`: added to it, or, when `base` includes the taxes, the part
    of it that is each tax (base x rate / (100 + all the rates))."""
    divisor = Decimal(100) + (sum(rate for _, rate in rates) if included else 0)
    quantum = Decimal(1).scaleb(-MINOR_DIGITS[base.currency])
    return tuple(
        TaxComponent(
            name,
            rate,
            Money((base.amount * rate / divisor).quantize(quantum, ROUND_HALF_UP), base.currency),
        )
        for name, rate in rates
    )


def _sum(components: tuple[TaxComponent, ...] | list[TaxComponent], currency: str) -> Money:
    total = Money.zero(currency)
    for component in components:
        total = total + component.amount
    return total
