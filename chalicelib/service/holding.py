"""How a change holds units (domain/holds.py): whose cap they count against, the stock
levels they are planned on, and the lapsed holds given back, on demand and by the sweep.

`Changes` (changes.py) holds one and asks it, around each decided change, what the change
holds; the domain decides, the repository writes the holds with the change.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from datetime import datetime

from chalicelib.domain.access import GUEST, SHOPPER, Caller
from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import InsufficientStock
from chalicelib.domain.holds import (
    HOLDS_PER_ADDRESS,
    HOLDS_PER_SHOPPER,
    HoldChanges,
    Holder,
    asks_for_holds,
    rehold,
)
from chalicelib.domain.products import Product
from chalicelib.domain.stock import ONE_WRITE
from chalicelib.parallel import in_background
from chalicelib.service.catalog import Catalog
from chalicelib.service.ports import HoldSweep


class Holding:
    def __init__(
        self,
        catalog: Catalog,
        sweep: HoldSweep,
        per_address: int = HOLDS_PER_ADDRESS,
        per_shopper: int = HOLDS_PER_SHOPPER,
    ) -> None:
        self._catalog = catalog
        self._sweep = sweep
        self._per_address = per_address
        self._per_shopper = per_shopper
        self._shards = random.Random()  # where a hold starts taking a product's units

    def holder(self, caller: Caller, client_address: str | None) -> Holder | None:
        """Whose cap a caller's holds count against: a shopper's own, a guest's client
        address; none for a trusted backend (it speaks for every shopper from one address)
        or a guest invoked directly (no address)."""
        if caller.kind == SHOPPER and caller.subject is not None:
            return Holder(f"shopper:{caller.subject}", self._per_shopper)
        if caller.kind == GUEST and client_address:
            return Holder(f"address:{client_address}", self._per_address)
        return None

    def levels_soon(self, product_ids: Collection[str]) -> Callable[[], dict[str, Product]]:
        """The products among `product_ids` that ask for holds, with their stock as it is
        now, when called: read in the background from now on (alongside the cart), and not
        at all when none asks (as the cached catalog says)."""
        cached = self._catalog.get_many(product_ids)
        asking = sorted(pid for pid, product in cached.items() if asks_for_holds(product))
        if not asking:
            return dict
        # Read as a checkout reads them: every shard the cache knows of in one request.
        return in_background(self._catalog.get_many, asking, True).result

    def hold(
        self, before: Cart, after: Cart, change: Change, current: dict[str, Product]
    ) -> HoldChanges:
        """Set `after`'s holds for the change from `before` (domain/holds.rehold), planned
        on the `current` levels of the products that ask for holds; what they take and
        give back. A change whose holds would not fit in its one write beside its row, its
        lines and a receipt (a batch of many held lots' adds) holds no more units."""
        quantities = {line.product_id: line.quantity for line in after.lines}
        old = {line.product_id: line.quantity for line in before.lines}
        changed = {
            pid for pid in old.keys() | quantities.keys() if old.get(pid) != quantities.get(pid)
        }
        if not changed:  # no line changed: the holds stay as they are
            return HoldChanges([], [])
        named = (changed | before.holds.keys()) - current.keys()
        catalog = {**self._catalog.get_many(sorted(named)), **current}
        lines = (before.holds, old, quantities, catalog, change.now, change.holder)
        after.holds, changes = rehold(*lines, change.may_hold, self._shards)
        beside = 2 + len(changed)  # the row, a receipt, the changed lines
        if beside + len(changes.takes) + len(changes.counts) > ONE_WRITE:
            after.holds, changes = rehold(*lines, False, self._shards)
        return changes

    def reclaim(self, short: InsufficientStock, now: datetime) -> bool:
        """Give back the lapsed holds of the products a change found short of; whether any
        units came back (then the change is worth deciding again)."""
        products = {warning.product_id for warning in short.warnings if warning.product_id}
        return sum(self._sweep.release_lapsed(now, pid) for pid in sorted(products)) > 0

    def release_lapsed(self, now: datetime) -> int:
        """The sweep: every lapsed hold's units given back; how many."""
        return self._sweep.release_lapsed(now)
