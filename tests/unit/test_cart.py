from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.cart import DELETED, MAX_LINES, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import (
    CartNotFound,
    CurrencyMismatch,
    ItemNotFound,
    LineLimitExceeded,
    PreconditionFailed,
    QuantityLimitExceeded,
)
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product

T0 = datetime(2026, 11, 25, 16, 20, 31, 123000, tzinfo=UTC)
LIFETIME = timedelta(days=30)


def at(seconds: float = 0, expected_version: int | None = None) -> Change:
    now = T0 + timedelta(seconds=seconds)
    return Change(now, now + LIFETIME, expected_version)


def product(pid: str = "SKU-1", price: str = "19.99", currency: str = "USD") -> Product:
    return Product(pid, f"Product {pid}", Money(Decimal(price), currency))


def new_cart(currency: str = "USD") -> Cart:
    return Cart("cart-1", "customer-42", currency, T0, T0, T0 + LIFETIME)


def test_adding_a_product_creates_a_line_then_adds_to_it() -> None:
    cart = new_cart()
    cart.add(product(), 2, at(0))
    cart.add(product(), 3, at(1))
    assert [(line.product_id, line.quantity) for line in cart.lines] == [("SKU-1", 5)]
    assert cart.lines[0].added_at == T0


def test_every_change_moves_updated_at_expiry_and_version() -> None:
    cart = new_cart()
    cart.add(product(), 1, at(300))
    assert cart.updated_at == T0 + timedelta(seconds=300)
    assert cart.expires_at == T0 + timedelta(seconds=300) + LIFETIME
    assert cart.version == 2


def test_adding_past_999_is_refused_and_changes_nothing() -> None:
    cart = new_cart()
    cart.add(product(), 998, at(0))
    with pytest.raises(QuantityLimitExceeded):
        cart.add(product(), 2, at(1))
    assert cart.lines[0].quantity == 998
    assert cart.version == 2


def test_a_101st_distinct_product_is_refused() -> None:
    cart = new_cart()
    for index in range(MAX_LINES):
        cart.add(product(f"SKU-{index}"), 1, at(0))
    with pytest.raises(LineLimitExceeded):
        cart.add(product("SKU-NEW"), 1, at(0))
    assert len(cart.lines) == MAX_LINES
    cart.add(product("SKU-0"), 1, at(0))  # an existing line can still grow
    assert cart.line("SKU-0") is not None


def test_a_product_in_another_currency_is_refused() -> None:
    cart = new_cart("USD")
    with pytest.raises(CurrencyMismatch):
        cart.add(product(currency="EUR"), 1, at(0))
    assert cart.lines == []


def test_setting_quantity_zero_removes_the_line() -> None:
    cart = new_cart()
    cart.add(product("A"), 1, at(0))
    cart.add(product("B"), 1, at(0))
    cart.set_quantity("A", 0, at(1))
    assert [line.product_id for line in cart.lines] == ["B"]


def test_setting_the_quantity_of_a_missing_line_is_item_not_found() -> None:
    with pytest.raises(ItemNotFound):
        new_cart().set_quantity("NOPE", 3, at(0))


def test_setting_more_than_999_is_refused() -> None:
    cart = new_cart()
    cart.add(product(), 1, at(0))
    with pytest.raises(QuantityLimitExceeded):
        cart.set_quantity("SKU-1", 1000, at(1))


def test_an_expired_cart_refuses_every_change_as_not_found() -> None:
    cart = new_cart()
    expired = at(LIFETIME.total_seconds())
    assert cart.is_expired(expired.now)
    with pytest.raises(CartNotFound):
        cart.add(product(), 1, expired)
    with pytest.raises(CartNotFound):
        cart.check(expired)


def test_a_deleted_cart_refuses_every_change_as_not_found() -> None:
    """An add that raced a delete is refused by the row the delete marked DELETED: the
    shopper hears the cart is gone, as after the row itself is removed."""
    cart = new_cart()
    cart.add(product(), 1, at(0))
    cart.status = DELETED
    with pytest.raises(CartNotFound):
        cart.add(product(), 1, at(1))
    with pytest.raises(CartNotFound):
        cart.set_quantity("SKU-1", 0, at(1))


def test_a_change_decided_against_another_version_is_refused() -> None:
    cart = new_cart()
    cart.add(product(), 1, at(1, expected_version=1))
    with pytest.raises(PreconditionFailed):
        cart.add(product(), 1, at(2, expected_version=1))
    assert (cart.version, cart.lines[0].quantity) == (2, 1)
