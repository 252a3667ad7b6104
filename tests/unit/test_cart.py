from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.cart import MAX_LINES, Cart, Product
from chalicelib.errors import (
    CurrencyMismatch,
    ItemNotFound,
    LineLimitExceeded,
    QuantityLimitExceeded,
)
from chalicelib.money import Money

T0 = datetime(2026, 11, 25, 16, 20, 31, 123000, tzinfo=UTC)


def product(pid: str = "SKU-1", price: str = "19.99", currency: str = "USD") -> Product:
    return Product(pid, f"Product {pid}", Money(Decimal(price), currency))


def new_cart(currency: str = "USD") -> Cart:
    return Cart("cart-1", "customer-42", currency, T0, T0)


def test_adding_a_product_creates_a_line_then_adds_to_it() -> None:
    cart = new_cart()
    cart.add(product(), 2, T0)
    cart.add(product(), 3, T0 + timedelta(seconds=1))
    assert [(line.product_id, line.quantity) for line in cart.lines] == [("SKU-1", 5)]
    assert cart.lines[0].added_at == T0


def test_every_change_moves_updated_at_and_version() -> None:
    cart = new_cart()
    later = T0 + timedelta(minutes=5)
    cart.add(product(), 1, later)
    assert cart.updated_at == later
    assert cart.version == 2


def test_adding_past_999_is_refused_and_changes_nothing() -> None:
    cart = new_cart()
    cart.add(product(), 998, T0)
    with pytest.raises(QuantityLimitExceeded):
        cart.add(product(), 2, T0 + timedelta(seconds=1))
    assert cart.lines[0].quantity == 998
    assert cart.version == 2


def test_a_101st_distinct_product_is_refused() -> None:
    cart = new_cart()
    for index in range(MAX_LINES):
        cart.add(product(f"SKU-{index}"), 1, T0)
    with pytest.raises(LineLimitExceeded):
        cart.add(product("SKU-NEW"), 1, T0)
    assert len(cart.lines) == MAX_LINES
    cart.add(product("SKU-0"), 1, T0)  # an existing line can still grow
    assert cart.line("SKU-0") is not None


def test_a_product_in_another_currency_is_refused() -> None:
    cart = new_cart("USD")
    with pytest.raises(CurrencyMismatch):
        cart.add(product(currency="EUR"), 1, T0)
    assert cart.lines == []


def test_setting_quantity_zero_removes_the_line() -> None:
    cart = new_cart()
    cart.add(product("A"), 1, T0)
    cart.add(product("B"), 1, T0)
    cart.set_quantity("A", 0, T0)
    assert [line.product_id for line in cart.lines] == ["B"]


def test_setting_the_quantity_of_a_missing_line_is_item_not_found() -> None:
    with pytest.raises(ItemNotFound):
        new_cart().set_quantity("NOPE", 3, T0)


def test_setting_more_than_999_is_refused() -> None:
    cart = new_cart()
    cart.add(product(), 1, T0)
    with pytest.raises(QuantityLimitExceeded):
        cart.set_quantity("SKU-1", 1000, T0)
