"""Discounts hold up for any cart and any promotions (Hypothesis): the lines' discounts add
up to the cart's, no line or total goes below zero, and the order in which codes were
entered never changes what the shopper pays."""

from datetime import UTC, datetime
from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.cart import Cart
from chalicelib.domain.lines import CartLine
from chalicelib.domain.money import MINOR_DIGITS, Money
from chalicelib.domain.pricing import price_cart
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import (
    AMOUNT_OFF_CART,
    PERCENT_OFF_CART,
    PERCENT_OFF_PRODUCTS,
    Promotion,
)

T0 = datetime(2026, 11, 27, tzinfo=UTC)
PRODUCT_IDS = [f"P{n}" for n in range(6)]
CURRENCIES = ["USD", "JPY", "KWD"]


@st.composite
def carts_and_promotions(draw: st.DrawFn) -> tuple[Cart, dict[str, Product], list[Promotion]]:
    currency = draw(st.sampled_from(CURRENCIES))
    digits = MINOR_DIGITS[currency]
    prices = {
        pid: Money(Decimal(draw(st.integers(0, 10**6))).scaleb(-digits), currency)
        for pid in PRODUCT_IDS
    }
    catalog = {pid: Product(pid, pid, price) for pid, price in prices.items()}
    chosen = draw(st.lists(st.sampled_from(PRODUCT_IDS), min_size=0, max_size=6, unique=True))
    cart = Cart("cart", "customer-1", currency, T0, T0, T0)
    cart.lines = [CartLine(pid, pid, draw(st.integers(1, 999)), T0) for pid in chosen]
    promotions = []
    for n in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from([PERCENT_OFF_CART, AMOUNT_OFF_CART, PERCENT_OFF_PRODUCTS]))
        if kind == AMOUNT_OFF_CART:
            value = Decimal(draw(st.integers(1, 10**7))).scaleb(-digits)
        else:
            value = Decimal(draw(st.integers(1, 10000))).scaleb(-2)  # 0.01 to 100.00 percent
        products = frozenset(draw(st.sets(st.sampled_from(PRODUCT_IDS), min_size=1)))
        promotions.append(
            Promotion(
                f"promo-{n}",
                f"Promotion {n}",
                kind,
                value,
                code=f"CODE{n}" if draw(st.booleans()) else None,
                currency=currency if kind == AMOUNT_OFF_CART else None,
                product_ids=products if kind == PERCENT_OFF_PRODUCTS else frozenset(),
                stackable=draw(st.booleans()),
            )
        )
    cart.discount_codes = [p.code for p in promotions if p.code is not None]
    return cart, catalog, promotions


@settings(max_examples=300, deadline=None)
@given(carts_and_promotions())
def test_line_discounts_add_up_and_nothing_goes_below_zero(
    example: tuple[Cart, dict[str, Product], list[Promotion]],
) -> None:
    cart, catalog, promotions = example
    priced = price_cart(cart, catalog, promotions, T0)
    discounts = priced.discounts
    assert sum(m.amount for m in discounts.lines.values()) == discounts.total.amount
    assert sum(d.amount.amount for d in discounts.applied) == discounts.total.amount
    assert priced.total.amount >= 0
    for line in priced.lines:
        assert line.line_total is not None
        assert 0 <= discounts.lines[line.line.product_id].amount <= line.line_total.amount


@settings(max_examples=200, deadline=None)
@given(carts_and_promotions(), st.randoms(use_true_random=False))
def test_the_order_codes_were_entered_in_never_changes_the_total(
    example: tuple[Cart, dict[str, Product], list[Promotion]], random: Random
) -> None:
    cart, catalog, promotions = example
    before = price_cart(cart, catalog, promotions, T0)
    random.shuffle(cart.discount_codes)
    random.shuffle(promotions)
    after = price_cart(cart, catalog, promotions, T0)
    assert after.total == before.total
    assert after.discounts.lines == before.discounts.lines
