"""Discount arithmetic: exact, in whole minor units (cents), pure.

Product discounts apply first, each a percentage of its products' lines; then cart
discounts, percentages before fixed amounts. Every percentage is taken of the amount its
stage starts from (the lines' totals for product discounts, what those leave for cart
discounts) and rounded half up to the minor unit; no discount takes more than is left, so no
line and no total goes below zero. A discount is spread over its lines by largest remainder
in proportion to what each line still costs, so the lines' discounts add up to it exactly.

Stackable promotions all apply together; a non-stackable one applies alone. Of the
candidates (all the stackable ones, or one non-stackable one) the one that saves the most
wins; on a tie the stackable set, then the lowest promotionId. Promotions are taken in
promotionId order within a stage, never in the order codes were entered, so the order a
shopper enters codes in never changes the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from chalicelib.domain.money import Money
from chalicelib.domain.promotions import (
    AMOUNT_OFF_CART,
    PERCENT_OFF_CART,
    PERCENT_OFF_PRODUCTS,
    AppliedDiscount,
    Promotion,
)

_STAGES = (PERCENT_OFF_PRODUCTS, PERCENT_OFF_CART, AMOUNT_OFF_CART)


class Discounts(NamedTuple):
    subtotal: Money
    """The available lines' totals, before any discount."""
    lines: dict[str, Money]
    """Each available line's share of the discounts, by product."""
    applied: list[AppliedDiscount]
    """The promotions that saved something, with what each saved."""
    total: Money

    @property
    def amount_due(self) -> Money:
        return Money(self.subtotal.amount - self.total.amount, self.subtotal.currency)

    @classmethod
    def none(cls, line_totals: Sequence[tuple[str, Money]], currency: str) -> Discounts:
        return discounts_for(line_totals, [], currency)


def discounts_for(
    line_totals: Sequence[tuple[str, Money]], promotions: Sequence[Promotion], currency: str
) -> Discounts:
    """The discounts of lines (product and total, in cart order) under promotions that all
    may apply to them."""
    totals = {product_id: total.minor_units() for product_id, total in line_totals}
    stackable = [p for p in promotions if p.stackable]
    alone = sorted((p for p in promotions if not p.stackable), key=lambda p: p.promotion_id)
    best = _apply(totals, stackable, currency)
    for promotion in alone:
        candidate = _apply(totals, [promotion], currency)
        if sum(amount for _, amount in candidate[1]) > sum(amount for _, amount in best[1]):
            best = candidate
    per_line, savings = best
    return Discounts(
        Money.of_minor_units(sum(totals.values()), currency),
        {pid: Money.of_minor_units(units, currency) for pid, units in per_line.items()},
        [
            AppliedDiscount(p.promotion_id, p.code, p.title, Money.of_minor_units(amount, currency))
            for p, amount in savings
        ],
        Money.of_minor_units(sum(amount for _, amount in savings), currency),
    )


def _apply(
    totals: dict[str, int], promotions: Sequence[Promotion], currency: str
) -> tuple[dict[str, int], list[tuple[Promotion, int]]]:
    """Each line's discount and each promotion's saving, in minor units."""
    remaining = dict(totals)
    savings: list[tuple[Promotion, int]] = []
    for stage in _STAGES:
        stage_start = dict(remaining)
        for promotion in sorted(
            (p for p in promotions if p.kind == stage), key=lambda p: p.promotion_id
        ):
            eligible = [
                pid
                for pid in remaining
                if stage != PERCENT_OFF_PRODUCTS or pid in promotion.product_ids
            ]
            left = sum(remaining[pid] for pid in eligible)
            if stage == AMOUNT_OFF_CART:
                wanted = Money(promotion.value, currency).minor_units()
            else:
                base = sum(stage_start[pid] for pid in eligible)
                wanted = int(
                    (base * promotion.value / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                )
            amount = min(wanted, left)
            if amount <= 0:
                continue
            for pid, share in spread(amount, [(pid, remaining[pid]) for pid in eligible]).items():
                remaining[pid] -= share
            savings.append((promotion, amount))
    return {pid: totals[pid] - remaining[pid] for pid in totals}, savings


def spread(amount: int, weights: Sequence[tuple[str, int]]) -> dict[str, int]:
    """`amount` split in proportion to the weights by largest remainder: whole units that
    add up to it exactly, none over its weight when `amount` is at most their sum (ties go
    to the earlier line)."""
    whole = sum(weight for _, weight in weights)
    shares = {key: amount * weight // whole for key, weight in weights}
    left = amount - sum(shares.values())
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i][1] % whole), i))
    for index in by_remainder[:left]:
        shares[weights[index][0]] += 1
    return shares
