"""A checkout too large for one write: a cart at the line limit, every line's stock counted,
with a receipt and a limited code's counters, holds its units in steps and then checks out
in one transaction; refused after a step, it gives back what it held."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.cart import MAX_LINES
from chalicelib.domain.commands import ADD, ChangeItems, CreateCart, ItemOperation
from chalicelib.domain.errors import InsufficientStock
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import PERCENT_OFF_CART, Promotion
from chalicelib.domain.receipts import Receipt
from chalicelib.domain.stock import StockTake
from chalicelib.service.changes import RequestContext
from chalicelib.service.operations import CartService
from tests.fakes import (
    InMemoryCartRepository,
    InMemoryCodeAttempts,
    InMemoryProductRepository,
    InMemoryPromotionRepository,
    InMemoryReceiptStore,
    InMemoryStockLedger,
    fixed_keys,
    pricing,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LOTS = [
    Product(f"LOT-{n:03}", f"Lot {n}", Money(Decimal("2.00"), "USD"), (2,))
    for n in range(MAX_LINES)
]
FIRST_100 = Promotion(
    "first-100", "10% off", PERCENT_OFF_CART, Decimal("10"), code="FIRST100", usage_limit=100
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=10)
        return self.now


def a_shop(stock: InMemoryProductRepository) -> tuple[CartService, InMemoryCartRepository]:
    receipts = InMemoryReceiptStore()
    promotions = InMemoryPromotionRepository([FIRST_100])
    carts = InMemoryCartRepository(receipts, promotions, stock=stock)
    service = CartService(
        carts,
        pricing(stock, promotions),
        fixed_keys,
        InMemoryCodeAttempts(),
        InMemoryStockLedger(stock, receipts),
        carts.sweep,
        clock=Clock(),
    )
    return service, carts


def full_cart(service: CartService) -> str:
    cart = service.create_cart(CreateCart("ann", "USD")).priced.cart.cart_id
    for start in (0, 50):
        adds = [ItemOperation(ADD, lot.product_id, 1) for lot in LOTS[start : start + 50]]
        service.change_items(cart, ChangeItems(adds))
    service.enter_discount_code(cart, "FIRST100")
    return cart


def test_a_cart_at_the_line_limit_with_a_receipt_and_a_code_checks_out_in_steps() -> None:
    stock = InMemoryProductRepository(LOTS)
    service, carts = a_shop(stock)
    cart = full_cart(service)
    keyed = RequestContext(receipt=Receipt("checkout-1", "checkout"))
    checked_out = service.check_out(cart, context=keyed)
    assert checked_out.cart.status == "CHECKED_OUT"
    assert checked_out.cart.holds == {}
    assert checked_out.cart.stock_taken == {lot.product_id: 1 for lot in LOTS}
    assert {p.stock_levels for p in stock.products.values()} == {(1,)}
    assert checked_out.discounts.applied[0].promotion_id == "first-100"
    assert carts.promotions.uses("first-100", "ann") == (1, 1)
    assert "checkout-1" in carts.receipts.receipts


class TakenMeanwhile(InMemoryProductRepository):
    """Stock that another checkout takes the last lot's units from while this one holds
    its first step."""

    def take(self, takes: Sequence[StockTake], cart_id: str) -> None:
        super().take(takes, cart_id)
        last = LOTS[-1].product_id
        if len(takes) > 1 and self.products[last].stock_levels == (2,):
            super().take([StockTake(last, 0, 2)], "another cart")


def test_a_checkout_refused_after_a_step_gives_back_what_it_held() -> None:
    stock = TakenMeanwhile(LOTS)
    service, carts = a_shop(stock)
    cart = full_cart(service)
    with pytest.raises(InsufficientStock) as refused:
        service.check_out(cart)
    assert [(w.product_id, w.available) for w in refused.value.warnings] == [("LOT-099", 0)]
    after = carts.carts[cart]
    assert (after.status, after.holds) == ("ACTIVE", {})
    assert {p.stock_levels for p in stock.products.values() if p.product_id != "LOT-099"} == {(2,)}
