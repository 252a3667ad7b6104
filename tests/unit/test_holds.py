"""Holds on a limited lot: what a change holds and gives back, and random interleavings of
holds, releases, checkouts, restocks and lapses through the service, against a model of
what the shop stocked."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chalicelib.domain.access import GUEST, Caller
from chalicelib.domain.commands import (
    ADD,
    AddItem,
    AdjustStock,
    ChangeItems,
    CreateCart,
    ItemOperation,
    MergeCarts,
    UpdateItem,
)
from chalicelib.domain.errors import CartServiceError, InsufficientStock
from chalicelib.domain.holds import Hold, Holder, HolderCount, combine, rehold, release
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.receipts import Receipt
from chalicelib.domain.stock import StockTake, spread
from chalicelib.domain.warnings import HOLD_EXPIRED
from chalicelib.service.changes import RequestContext
from chalicelib.service.operations import CartService
from tests.fakes import (
    InMemoryCartRepository,
    InMemoryCodeAttempts,
    InMemoryProductRepository,
    InMemoryReceiptStore,
    InMemoryStockLedger,
    fixed_keys,
    pricing,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LOT = Product(
    "LOT", "Limited lot", Money(Decimal("30.00"), "USD"), (3, 2), max_per_cart=2, hold_minutes=15
)
PLAIN = Product("PLAIN", "Unheld lot", Money(Decimal("5.00"), "USD"), (9,))
ADDRESS = Holder("address:203.0.113.9", 4)


def test_a_new_line_holds_its_units_for_the_window_and_counts_against_its_holder() -> None:
    holds, changes = rehold({}, {}, {"LOT": 2}, {"LOT": LOT}, NOW, ADDRESS, True, None)
    assert holds == {"LOT": Hold(2, NOW + timedelta(minutes=15), ADDRESS.key, 0)}
    assert changes.takes == [StockTake("LOT", 0, 2)]
    assert changes.counts == [HolderCount(ADDRESS.key, 2, cap=4)]


def test_a_lowered_or_removed_line_gives_its_units_back_to_the_shard_they_came_from() -> None:
    held = {"LOT": Hold(2, NOW, ADDRESS.key, 1)}
    holds, changes = rehold(held, {"LOT": 2}, {"LOT": 1}, {"LOT": LOT}, NOW, ADDRESS, True, None)
    assert holds["LOT"].units == 1
    assert changes.takes == [StockTake("LOT", 1, -1)]
    assert changes.counts == [HolderCount(ADDRESS.key, -1)]
    holds, changes = rehold(held, {"LOT": 2}, {}, {"LOT": LOT}, NOW, ADDRESS, True, None)
    assert holds == {}
    assert changes.takes == [StockTake("LOT", 1, -2)]


def test_past_the_cap_a_line_holds_no_more_and_a_product_without_holds_none() -> None:
    held = {"LOT": Hold(1, NOW, ADDRESS.key, 0)}
    holds, changes = rehold(held, {"LOT": 1}, {"LOT": 2}, {"LOT": LOT}, NOW, ADDRESS, False, None)
    assert holds["LOT"].units == 1 and changes.takes == [] and changes.counts == []
    plain = {"PLAIN": PLAIN}
    assert rehold({}, {}, {"PLAIN": 3}, plain, NOW, ADDRESS, True, None)[0] == {}


def test_too_few_left_to_hold_names_what_the_line_could_have() -> None:
    held = {"LOT": Hold(1, NOW, None, 0)}
    short = LOT._replace(stock_levels=(0, 0))
    with pytest.raises(InsufficientStock) as refused:
        rehold(held, {"LOT": 1}, {"LOT": 2}, {"LOT": short}, NOW, None, True, None)
    assert [w.available for w in refused.value.warnings] == [1]


def test_a_lapsed_hold_gives_its_units_back_and_stays_to_warn_and_a_gone_cart_keeps_none() -> None:
    held = {"LOT": Hold(2, NOW, ADDRESS.key, 1), "OTHER": Hold(1, NOW + timedelta(hours=1))}
    kept, changes = release(held, NOW, all_of_them=False)
    assert kept == {"LOT": Hold(0, NOW, None, 1), "OTHER": held["OTHER"]}
    assert changes.takes == [StockTake("LOT", 1, -2)]
    assert changes.counts == [HolderCount(ADDRESS.key, -2)]
    kept, changes = release(held, NOW, all_of_them=True)
    assert kept == {} and sum(take.units for take in changes.takes) == -3


def test_a_merge_holds_both_carts_units_under_the_target_holder() -> None:
    mine = {"LOT": Hold(1, NOW, "shopper:ann", 0)}
    theirs = {"LOT": Hold(1, NOW + timedelta(minutes=5), ADDRESS.key, 1)}
    merged, counts = combine(mine, theirs)
    assert merged == {"LOT": Hold(2, NOW + timedelta(minutes=5), "shopper:ann", 0)}
    assert counts == [HolderCount(ADDRESS.key, -1), HolderCount("shopper:ann", 1)]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


STOCKED = 9
HELD_LOT = Product(
    "LOT", "Limited lot", Money(Decimal("30.00"), "USD"), spread(STOCKED, 3), 3, hold_minutes=2
)
CAP = 5


class HoldsOnALimitedLot(RuleBasedStateMachine):
    """Guests from two addresses hold a lot of 9 over 3 shards (3 a cart, 5 an address),
    change and remove lines, merge and delete carts and check out, while the shop restocks
    and time passes. The units left, held and sold always make what the shop stocked, no
    address holds more past its cap, and every lapsed hold's units come back by the sweep."""

    def __init__(self) -> None:
        super().__init__()
        self.catalog = InMemoryProductRepository([HELD_LOT])
        receipts = InMemoryReceiptStore()
        self.carts = InMemoryCartRepository(receipts, stock=self.catalog)
        ids = iter(f"cart-{n}" for n in range(1000))
        self.clock = Clock()
        self.service = CartService(
            self.carts,
            pricing(self.catalog),
            fixed_keys,
            InMemoryCodeAttempts(),
            InMemoryStockLedger(self.catalog, receipts),
            self.carts.sweep,
            clock=self.clock,
            new_cart_id=lambda: next(ids),
            holds_per_address=CAP,
        )
        self.open: dict[str, str] = {}  # cart: its guest's address
        self.sold = self.restocked = self.adjustments = 0

    def left(self) -> int:
        stock = self.catalog.products["LOT"].stock
        assert stock is not None
        return stock

    def held(self, holder: str | None = None) -> int:
        return sum(
            hold.units
            for cart in self.carts.carts.values()
            for hold in cart.holds.values()
            if holder is None or hold.holder == holder
        )

    def guest(self, cart: str) -> RequestContext:
        return RequestContext(Caller(GUEST, None, cart), client_address=self.open[cart])

    def pick(self, index: int) -> str:
        return sorted(self.open)[index % len(self.open)]

    @rule(quantity=st.integers(1, 3), address=st.sampled_from(["198.51.100.1", "198.51.100.2"]))
    def add_to_a_new_cart(self, quantity: int, address: str) -> None:
        cart = self.service.create_cart(CreateCart(None, "USD")).priced.cart.cart_id
        self.open[cart] = address
        holder = f"address:{address}"
        room, before = CAP - self.held(holder), self.held(holder)
        try:
            priced = self.service.add_item(cart, AddItem("LOT", quantity), self.guest(cart))
        except InsufficientStock as short:  # after giving back the lot's lapsed holds
            assert quantity > self.left() and short.warnings[0].available == self.left()
            return
        hold = priced.cart.holds.get("LOT")
        if quantity <= room:
            assert hold is not None and hold.units == quantity
            assert priced.held_until("LOT") == self.clock.now + timedelta(minutes=2)
            assert self.held(holder) <= CAP
        else:  # past its address's cap: added without a hold
            assert hold is None and self.held(holder) == before

    @precondition(lambda self: bool(self.open))
    @rule(pick=st.integers(0, 99), quantity=st.integers(0, 3))
    def change_a_line(self, pick: int, quantity: int) -> None:
        cart = self.pick(pick)
        with contextlib.suppress(CartServiceError):  # no line, or too few to hold more
            self.service.update_item(cart, "LOT", UpdateItem(quantity), self.guest(cart))

    @precondition(lambda self: len(self.open) > 1)
    @rule(pick=st.integers(0, 99), other=st.integers(1, 99))
    def merge(self, pick: int, other: int) -> None:
        target = self.pick(pick)
        source = self.pick(pick + other % (len(self.open) - 1 or 1))
        if source == target:
            return
        try:
            self.service.merge_carts(target, MergeCarts(source))
        except CartServiceError:  # over the per-cart limit
            return
        del self.open[source]

    @precondition(lambda self: bool(self.open))
    @rule(pick=st.integers(0, 99))
    def delete(self, pick: int) -> None:
        cart = self.pick(pick)
        self.service.delete_cart(cart, self.guest(cart))
        del self.open[cart]

    @precondition(lambda self: bool(self.open))
    @rule(pick=st.integers(0, 99))
    def check_out(self, pick: int) -> None:
        cart = self.pick(pick)
        try:
            checked_out = self.service.check_out(cart, context=self.guest(cart))
        except CartServiceError:  # empty, or too few units for its unheld ones
            return
        self.sold += sum(checked_out.cart.stock_taken.values())
        assert checked_out.cart.holds == {}
        del self.open[cart]

    @rule(delta=st.integers(1, 4))
    def restock(self, delta: int) -> None:
        self.adjustments += 1
        receipt = Receipt(f"restock-{self.adjustments}", f"delta {delta}")
        self.service.stock.adjust(AdjustStock("LOT", delta), RequestContext(receipt=receipt))
        self.restocked += delta

    @rule(minutes=st.sampled_from([1, 3]))
    def time_passes_and_the_sweep_runs(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)
        self.service.release_lapsed_holds()
        lapsed = [
            cart
            for cart in self.open
            if any(w.code == HOLD_EXPIRED for w in self.service.get_cart(cart).warnings)
        ]
        assert all(
            hold.units == 0 for cart in lapsed for hold in self.carts.carts[cart].holds.values()
        )

    @invariant()
    def units_left_held_and_sold_make_the_stock(self) -> None:
        levels = self.catalog.products["LOT"].stock_levels
        assert levels is not None and min(levels) >= 0
        assert self.left() + self.held() + self.sold == STOCKED + self.restocked

    @invariant()
    def each_holders_count_is_what_it_holds(self) -> None:
        """What the caps are checked against (a merge may carry a holder past its cap: it
        then holds nothing more until it is below)."""
        holders = {f"address:{address}" for address in self.open.values()}
        for holder in holders | self.carts.hold_counts.keys():
            assert self.carts.hold_counts.get(holder, 0) == self.held(holder)


TestHoldsOnALimitedLot = HoldsOnALimitedLot.TestCase
TestHoldsOnALimitedLot.settings = settings(max_examples=80, stateful_step_count=30, deadline=None)


@pytest.mark.parametrize(("lines", "held"), [(45, True), (50, False)])
def test_a_batch_holds_its_lines_when_they_fit_in_its_one_write(lines: int, held: bool) -> None:
    """45 held lots added at once: the row, 45 lines, 45 takes and the guest's count fit in
    one transaction; 50 do not, and are added without holds (checkout takes their units)."""
    lots = [
        Product(f"H-{n:02}", "Held", Money(Decimal("1.00"), "USD"), (1, 1), hold_minutes=15)
        for n in range(lines)
    ]
    catalog = InMemoryProductRepository(lots)
    carts = InMemoryCartRepository(stock=catalog)
    service = CartService(
        carts,
        pricing(catalog),
        fixed_keys,
        InMemoryCodeAttempts(),
        InMemoryStockLedger(catalog, InMemoryReceiptStore()),
        carts.sweep,
        holds_per_address=100,
    )
    cart = service.create_cart(CreateCart(None, "USD")).priced.cart.cart_id
    guest = RequestContext(Caller(GUEST, None, cart), client_address="198.51.100.1")
    adds = [ItemOperation(ADD, lot.product_id, 1) for lot in lots]
    priced = service.change_items(cart, ChangeItems(adds), guest)
    assert len(priced.cart.lines) == lines
    assert all((priced.held_until(lot.product_id) is not None) == held for lot in lots)
    assert carts.hold_counts.get("address:198.51.100.1", 0) == (lines if held else 0)
