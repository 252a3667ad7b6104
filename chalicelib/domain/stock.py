"""Stock: the units of a product the shop has to sell, which a checkout takes.

A product's units are spread over shards (the catalog's `stockShards`), so that a flash sale
is not capped by the write rate of one stored item. A take starts at a shard the caller picks
at random and moves on to the next ones in turn while it needs more, so no unit is stranded:
while any shard has a unit, a take of it succeeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from random import Random
from typing import NamedTuple

from chalicelib.domain.errors import CheckoutTooLarge, InsufficientStock
from chalicelib.domain.products import Product
from chalicelib.domain.warnings import INSUFFICIENT_STOCK, CartWarning

MAX_SHARDS = 20
"""Shards one product's stock may be spread over (the catalog's `stockShards`: 1 to 20)."""
ONE_WRITE = 100
"""Items one atomic write holds (DynamoDB's TransactWriteItems): a checkout's takes share it
with the cart's row, its receipt and its promotions' counters."""


MAX_ADJUSTMENT = 1_000_000
"""The most units one adjustment of a product's stock adds or removes."""


class StockTake(NamedTuple):
    """Units taken from one shard of a product's stock (negative: units put back)."""

    product_id: str
    shard: int
    units: int


def spread(units: int, shards: int) -> tuple[int, ...]:
    """`units` over `shards` as evenly as can be, the first shards holding one more."""
    share, rest = divmod(units, shards)
    return tuple(share + (shard < rest) for shard in range(shards))


def plan_takes(product_id: str, levels: Sequence[int], units: int, first: int) -> list[StockTake]:
    """Take `units` from the shards' `levels`: from shard `first`, then the next ones in
    turn, each at most what it holds. The caller has checked that they hold enough (a cart
    short of stock is refused by its warnings)."""
    if sum(levels) < units:
        raise ValueError(f"{product_id}: {sum(levels)} in stock, {units} to take")
    takes, needed = [], units
    for step in range(len(levels)):
        shard = (first + step) % len(levels)
        taken = min(needed, levels[shard])
        if taken:
            takes.append(StockTake(product_id, shard, taken))
            needed -= taken
        if not needed:
            break
    return takes


def checkout_takes(
    wanted: Mapping[str, int], catalog: Mapping[str, Product], shards: Random | None
) -> list[StockTake]:
    """The units a checkout takes of each product whose stock is counted, each starting at
    a shard `shards` picks (shard 0 without it)."""
    takes = []
    for product_id, units in wanted.items():
        levels = catalog[product_id].stock_levels
        if levels is not None:
            first = shards.randrange(len(levels)) if shards is not None else 0
            takes += plan_takes(product_id, levels, units, first)
    return takes


def plan_adjustment(
    product_id: str, levels: Sequence[int], delta: int, first: int
) -> list[StockTake]:
    """The shop's change of a product's stock by `delta` units: units put back spread over
    the shards from shard `first`; units removed (shrinkage, a count that came up short)
    taken as a checkout takes them, refused when fewer are left (InsufficientStock)."""
    if delta < 0:
        if -delta > sum(levels):
            short = CartWarning(INSUFFICIENT_STOCK, product_id, available=sum(levels))
            raise InsufficientStock([short])
        return plan_takes(product_id, levels, -delta, first)
    shares = spread(delta, len(levels))
    shards = [(first + step) % len(levels) for step in range(len(levels))]
    return [
        StockTake(product_id, shard, -share)
        for shard, share in zip(shards, shares, strict=True)
        if share
    ]


def has_units(level: int, take: StockTake) -> bool:
    """Whether a shard holding `level` units can give `take`: what keeps stock from ever
    going below zero (the DynamoDB condition of a take mirrors it)."""
    return level >= take.units


def check_fits(cart_id: str, takes: Sequence[StockTake], beside: int) -> None:
    """Refuse a checkout whose takes do not fit in its one write beside `beside` other
    items (CheckoutTooLarge)."""
    if takes and len(takes) + beside > ONE_WRITE:
        raise CheckoutTooLarge(cart_id, len(takes), ONE_WRITE - beside)
