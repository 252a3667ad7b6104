"""Stock that is never oversold: the takes a checkout plans, and random sequences of carts
checking out a limited lot through the service, against a model of what the shop had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chalicelib.domain.commands import AddItem, AdjustStock, CreateCart
from chalicelib.domain.errors import InsufficientStock, RequestAlreadyApplied
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.receipts import Receipt
from chalicelib.domain.stock import StockTake, plan_adjustment, plan_takes, spread
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


def test_units_spread_evenly_over_shards() -> None:
    assert spread(10, 4) == (3, 3, 2, 2)
    assert spread(2, 3) == (1, 1, 0)
    assert spread(0, 1) == (0,)


def test_a_take_starts_at_its_shard_and_moves_on_to_the_next_ones_in_turn() -> None:
    assert plan_takes("LOT", (4, 0, 1, 2), 4, first=2) == [
        StockTake("LOT", 2, 1),
        StockTake("LOT", 3, 2),
        StockTake("LOT", 0, 1),
    ]
    assert plan_takes("LOT", (4, 0, 1, 2), 1, first=0) == [StockTake("LOT", 0, 1)]


def test_units_put_back_spread_over_the_shards_from_the_first() -> None:
    assert plan_adjustment("LOT", (0, 0, 0), 4, first=1) == [
        StockTake("LOT", 1, -2),
        StockTake("LOT", 2, -1),
        StockTake("LOT", 0, -1),
    ]
    assert plan_adjustment("LOT", (2, 1), -3, first=1) == [
        StockTake("LOT", 1, 1),
        StockTake("LOT", 0, 2),
    ]
    with pytest.raises(InsufficientStock):
        plan_adjustment("LOT", (2, 1), -4, first=0)


@given(
    levels=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    units=st.integers(1, 30),
    first=st.integers(0, 5),
)
def test_no_unit_is_stranded_while_any_shard_has_one(
    levels: list[int], units: int, first: int
) -> None:
    """Whatever shard a take starts at, it gets its units whenever the shards hold them, and
    never more from a shard than the shard holds."""
    if units > sum(levels):
        with pytest.raises(ValueError):
            plan_takes("LOT", levels, units, first % len(levels))
        return
    takes = plan_takes("LOT", levels, units, first % len(levels))
    assert sum(take.units for take in takes) == units
    assert all(0 < take.units <= levels[take.shard] for take in takes)
    assert len({take.shard for take in takes}) == len(takes)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


STOCKED = 9
LOT = Product("LOT", "Limited lot", Money(Decimal("30.00"), "USD"), spread(STOCKED, 3), 4)


class CheckoutsOfALimitedLot(RuleBasedStateMachine):
    """Carts take 1 to 4 units of a lot of 9 spread over 3 shards and check out in any
    order, while the shop puts units back or removes some: a checkout succeeds exactly when
    the units it asks for are left, an adjustment sent twice counts once, and the units
    left plus the units sold always make what the shop stocked and adjusted."""

    def __init__(self) -> None:
        super().__init__()
        self.catalog = InMemoryProductRepository([LOT])
        receipts = InMemoryReceiptStore()
        carts = InMemoryCartRepository(receipts, stock=self.catalog)
        ids = iter(f"cart-{n}" for n in range(1000))
        self.service = CartService(
            carts,
            pricing(self.catalog),
            fixed_keys,
            InMemoryCodeAttempts(),
            InMemoryStockLedger(self.catalog, receipts),
            carts.sweep,
            clock=Clock(),
            new_cart_id=lambda: next(ids),
        )
        self.open: dict[str, int] = {}
        self.sold = 0
        self.adjusted = 0
        self.adjustments = 0

    def left(self) -> int:
        stock = self.catalog.products["LOT"].stock
        assert stock is not None
        return stock

    @rule(quantity=st.integers(1, 4))
    def fill_a_cart(self, quantity: int) -> None:
        cart = self.service.create_cart(CreateCart("shopper", "USD")).priced.cart.cart_id
        self.service.add_item(cart, AddItem("LOT", quantity))
        self.open[cart] = quantity

    @precondition(lambda self: bool(self.open))
    @rule(pick=st.integers(0, 100))
    def check_out(self, pick: int) -> None:
        cart = sorted(self.open)[pick % len(self.open)]
        wanted, left = self.open[cart], self.left()
        if wanted > left:
            with pytest.raises(InsufficientStock) as refused:
                self.service.check_out(cart)
            assert [w.available for w in refused.value.warnings] == [left]
            assert self.left() == left
            return
        checked_out = self.service.check_out(cart)
        assert checked_out.cart.stock_taken == {"LOT": wanted}
        self.sold += wanted
        del self.open[cart]

    @rule(delta=st.integers(-4, 6).filter(bool))
    def adjust_twice(self, delta: int) -> None:
        self.adjustments += 1
        keeping = self.service.stock
        receipt = Receipt(f"shop adjustment-{self.adjustments}", f"delta {delta}")
        context = RequestContext(receipt=receipt)
        left = self.left()
        if left + delta < 0:
            with pytest.raises(InsufficientStock):
                keeping.adjust(AdjustStock("LOT", delta), context)
            assert self.left() == left
            return
        assert keeping.adjust(AdjustStock("LOT", delta), context).available == left + delta
        # Sent again: refused, and the edge answers from the receipt (a removal may be
        # refused for the units its first sending removed).
        with pytest.raises((RequestAlreadyApplied, InsufficientStock)):
            keeping.adjust(AdjustStock("LOT", delta), context)
        assert self.left() == left + delta
        self.adjusted += delta

    @invariant()
    def units_left_and_sold_make_the_stock(self) -> None:
        levels = self.catalog.products["LOT"].stock_levels
        assert levels is not None and min(levels) >= 0
        assert self.left() + self.sold == STOCKED + self.adjusted


TestCheckoutsOfALimitedLot = CheckoutsOfALimitedLot.TestCase
TestCheckoutsOfALimitedLot.settings = settings(max_examples=60, stateful_step_count=25)
