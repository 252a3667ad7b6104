"""Holds: units of a limited lot set aside for a cart while the shopper decides.

A product that asks for holds (the catalog's `holdMinutes`) has its units taken from stock
when a cart adds it, in the add's own write, and kept for the cart until its hold lapses:
`holdMinutes` after the last change to its line. A lapsed hold's units go back to stock (the
sweep, or a hold that finds too few units reclaiming them) and its line warns HOLD_EXPIRED
until a change holds again. Checkout converts the holds: their units are already taken.

So that bots opening many guest carts cannot take a lot off sale, the units one client
address, or one signed-in shopper, holds at once are capped (a stage setting); past the
cap a line is added without a hold, and checkout takes its units as for any product.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from random import Random
from typing import NamedTuple

from chalicelib.domain.errors import InsufficientStock
from chalicelib.domain.products import Product
from chalicelib.domain.stock import ONE_WRITE, StockTake, plan_takes
from chalicelib.domain.warnings import INSUFFICIENT_STOCK, CartWarning

MAX_HOLD_MINUTES = 1440
"""The longest hold a product may ask for (a day): far shorter than a cart lives, so a hold
always lapses, and is swept, before its cart expires."""
HOLDS_PER_ADDRESS = 10
"""The units a guest's client address holds at once, over all its carts, by default (the
stage's HOLDS_PER_ADDRESS)."""
HOLDS_PER_SHOPPER = 10
"""The units a signed-in shopper holds at once, by default (HOLDS_PER_SHOPPER)."""


CHECKOUT_HOLD_MINUTES = 5
"""How long the units a checkout too large for one write holds first stay held, for a
product that asks for no holds of its own."""


class Hold(NamedTuple):
    """The units of a product a cart holds, and until when."""

    units: int
    """Taken from stock for the cart (0: the hold lapsed and its units went back)."""
    until: datetime
    holder: str | None = None
    """Whose cap the units count against (Holder.key); None: nobody's (a trusted caller)."""
    shard: int = 0
    """The shard of the product's stock the units go back to."""

    def has_lapsed(self, now: datetime) -> bool:
        """Past its window: its units, if any are left, go back to stock."""
        return self.until <= now


class Holder(NamedTuple):
    """Who is changing a cart, as the caps count holds: a client address or a shopper."""

    key: str
    """`address:<ip>` or `shopper:<id>`."""
    cap: int
    """The most units it may hold at once."""


class HolderCount(NamedTuple):
    """A change to the units a holder holds; with `cap`, refused when it would pass it."""

    holder: str
    units: int
    cap: int | None = None


class HoldChanges(NamedTuple):
    """What a change does to stock through holds: units taken (negative: given back) and
    the holders' counts."""

    takes: list[StockTake]
    counts: list[HolderCount]


def asks_for_holds(product: Product | None) -> bool:
    """Whether a cart holds this product's units: the catalog asks, and its stock is
    counted."""
    return product is not None and bool(product.hold_minutes) and product.stock_levels is not None


def rehold(
    holds: Mapping[str, Hold],
    before: Mapping[str, int],
    after: Mapping[str, int],
    catalog: Mapping[str, Product],
    now: datetime,
    holder: Holder | None,
    may_hold: bool,
    shards: Random | None,
) -> tuple[dict[str, Hold], HoldChanges]:
    """The holds after a change of the cart's line quantities from `before` to `after`:
    each changed line of a product that asks for holds holds its whole quantity again for a
    new window (only what it held already when `may_hold` is False: its holder's cap is
    reached); a removed line, or one whose product no longer asks, gives its units back.
    Lines the change left alone keep their holds. InsufficientStock when too few units are
    left, naming what the line could have (its own held units and the rest)."""
    new: dict[str, Hold] = {}
    takes: list[StockTake] = []
    counts: dict[str, int] = {}
    capped: dict[str, int] = {}
    for pid in sorted(holds.keys() | after.keys()):
        hold, quantity, product = holds.get(pid), after.get(pid, 0), catalog.get(pid)
        if quantity and before.get(pid) == quantity:
            if hold is not None:
                new[pid] = hold
            continue
        kept = hold.units if hold is not None else 0
        target = 0
        if quantity and asks_for_holds(product):
            target = quantity if may_hold else min(kept, quantity)
        levels = product.stock_levels if product is not None else None
        first = shards.randrange(len(levels)) if shards is not None and levels else 0
        if target > kept:
            assert levels is not None
            takes += _taken(pid, levels, target - kept, kept, first)
        elif target < kept:
            assert hold is not None
            takes.append(StockTake(pid, hold.shard, target - kept))
        owner = hold.holder if hold is not None and kept else None
        if target > kept and holder is not None:
            if owner is not None and owner != holder.key:  # the new holder holds it all
                counts[owner] = counts.get(owner, 0) - kept
                kept = 0
            owner = holder.key
            capped[owner] = holder.cap
        if owner is not None and target != kept:
            counts[owner] = counts.get(owner, 0) + target - kept
        if target and product is not None and product.hold_minutes:
            until = _deadline(now, product.hold_minutes)
            new[pid] = Hold(target, until, owner, hold.shard if hold and kept else first)
    changes = [
        HolderCount(key, units, capped.get(key) if units > 0 else None)
        for key, units in sorted(counts.items())
        if units
    ]
    return new, HoldChanges(takes, changes)


def release(
    holds: Mapping[str, Hold], now: datetime, all_of_them: bool
) -> tuple[dict[str, Hold], HoldChanges]:
    """Give back the units of the holds that lapsed by `now` (of all of them, for a cart
    gone: deleted or expired). A lapsed hold stays, with no units, so that its line warns
    HOLD_EXPIRED; a cart gone keeps none."""
    lapsed = {
        pid for pid, hold in holds.items() if all_of_them or (hold.units and hold.has_lapsed(now))
    }
    kept, given_back = give_back(holds, lapsed)
    if not all_of_them:  # a lapsed hold stays, without its units, for the warning
        kept |= {pid: holds[pid]._replace(units=0, holder=None) for pid in lapsed}
    return kept, given_back


def combine(
    target: Mapping[str, Hold], source: Mapping[str, Hold]
) -> tuple[dict[str, Hold], list[HolderCount]]:
    """A merge's holds: each product's units held by both carts held together, until the
    later of their windows, counted against the target's holder (moved from the source's)."""
    merged = dict(target)
    counts = []
    for pid, moved in source.items():
        mine = merged.get(pid)
        if mine is None or not mine.units:
            merged[pid] = moved
            continue
        if moved.holder != mine.holder:
            if moved.holder is not None:
                counts.append(HolderCount(moved.holder, -moved.units))
            if mine.holder is not None:
                counts.append(HolderCount(mine.holder, moved.units))
        merged[pid] = mine._replace(
            units=mine.units + moved.units, until=max(mine.until, moved.until)
        )
    return merged, _summed(counts)


def converted(holds: Mapping[str, Hold]) -> tuple[dict[str, int], list[HolderCount]]:
    """At checkout: the units each product's hold already took (lapsed or not, while they
    are still out of stock), and the holders' counts given back."""
    held = {pid: hold.units for pid, hold in holds.items() if hold.units}
    counts = [
        HolderCount(hold.holder, -hold.units)
        for hold in holds.values()
        if hold.units and hold.holder is not None
    ]
    return held, _summed(counts)


def hold_for_checkout(
    holds: Mapping[str, Hold],
    lines: Mapping[str, int],
    catalog: Mapping[str, Product],
    now: datetime,
    shards: Random | None,
) -> tuple[dict[str, Hold], HoldChanges]:
    """A step of a checkout too large for one write (its takes, beside the cart's row, its
    receipt and counters, pass ONE_WRITE): the lines of counted products that hold fewer
    units than their quantity hold them all, in product order, as many as one write takes
    beside the cart's row. A new hold is the checkout's own (no holder: nobody's cap); a
    line's hold keeps its holder, who counts the units added. Each holds for its product's
    window (CHECKOUT_HOLD_MINUTES for one without). The checkout's own write then converts
    them. InsufficientStock when a line has too few units left."""
    new = dict(holds)
    takes: list[StockTake] = []
    counts: list[HolderCount] = []
    for pid, quantity in sorted(lines.items()):
        product, hold = catalog.get(pid), holds.get(pid)
        kept = hold.units if hold is not None else 0
        if product is None or product.stock_levels is None or kept >= quantity:
            continue
        levels = product.stock_levels
        first = shards.randrange(len(levels)) if shards is not None else 0
        line_takes = _taken(pid, levels, quantity - kept, kept, first)
        holder = hold.holder if hold is not None and kept else None
        line_counts = [HolderCount(holder, quantity - kept)] if holder is not None else []
        if 1 + len(takes) + len(line_takes) + len(counts) + len(line_counts) > ONE_WRITE:
            break
        takes += line_takes
        counts += line_counts
        minutes = product.hold_minutes or CHECKOUT_HOLD_MINUTES
        shard = hold.shard if hold is not None and kept else first
        new[pid] = Hold(quantity, _deadline(now, minutes), holder, shard)
    return new, HoldChanges(takes, _summed(counts))


def give_back(
    holds: Mapping[str, Hold], product_ids: Collection[str]
) -> tuple[dict[str, Hold], HoldChanges]:
    """The holds of `product_ids` given back whole (lapsed ones; those of a checkout refused
    after holding them in steps): their units to stock, their holders' counts down."""
    kept = {pid: hold for pid, hold in holds.items() if pid not in product_ids}
    gone = [(pid, hold) for pid, hold in sorted(holds.items()) if pid in product_ids]
    takes = [StockTake(pid, hold.shard, -hold.units) for pid, hold in gone if hold.units]
    counts = [HolderCount(h.holder, -h.units) for _, h in gone if h.holder and h.units]
    return kept, HoldChanges(takes, _summed(counts))


def lapses_at(holds: Mapping[str, Hold]) -> datetime | None:
    """When the cart's next hold with units lapses (None: it holds none)."""
    return min((hold.until for hold in holds.values() if hold.units), default=None)


def _taken(
    product_id: str, levels: tuple[int, ...], units: int, held: int, first: int
) -> list[StockTake]:
    """`units` more of a line's product taken from the shards' `levels`, from shard `first`
    on; InsufficientStock when they hold fewer, naming what the line could have (the units
    it `held` already and the rest)."""
    if sum(levels) < units:
        left = CartWarning(INSUFFICIENT_STOCK, product_id, available=held + sum(levels))
        raise InsufficientStock([left])
    return plan_takes(product_id, levels, units, first)


def _deadline(now: datetime, minutes: float) -> datetime:
    """A hold's deadline as stored: `minutes` from `now`, rounded up to a whole second (so
    the answer of the change that holds says what every later read does, and a hold lasts
    its window)."""
    moment = now + timedelta(minutes=minutes)
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def _summed(counts: list[HolderCount]) -> list[HolderCount]:
    totals: dict[str, int] = {}
    for count in counts:
        totals[count.holder] = totals.get(count.holder, 0) + count.units
    return [HolderCount(key, units) for key, units in sorted(totals.items()) if units]
