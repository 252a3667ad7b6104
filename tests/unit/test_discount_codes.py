"""Discount codes through the service, on the in-memory repositories: entering and removing
them, the view's discounts, and checkout freezing them and counting uses within limits."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.access import GUEST, Caller
from chalicelib.domain.commands import AddItem, CreateCart, UpdateItem
from chalicelib.domain.errors import (
    DiscountCodeInvalid,
    DiscountCodeNotFound,
    DiscountUsedUpAtCheckout,
)
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.edge.views import cart_view
from chalicelib.service.changes import RequestContext
from chalicelib.service.datafiles.promotions import parse_promotions
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
from tools.local.stack import SAMPLE_PROMOTIONS

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


class Shop:
    def __init__(self) -> None:
        self.promotions = InMemoryPromotionRepository(
            parse_promotions(json.loads(SAMPLE_PROMOTIONS.read_text()))
        )
        catalog = InMemoryProductRepository(
            [
                Product("BEANS", "Beans", Money(Decimal("20.00"), "USD")),
                Product("GRINDER-HAND", "Hand grinder", Money(Decimal("49.00"), "USD")),
            ]
        )
        self.carts = InMemoryCartRepository(promotions=self.promotions)
        ids = iter(f"cart-{n}" for n in range(100))
        self.service = CartService(
            self.carts,
            pricing(catalog, self.promotions),
            fixed_keys,
            InMemoryCodeAttempts(),
            InMemoryStockLedger(catalog, InMemoryReceiptStore()),
            self.carts.sweep,
            clock=lambda: NOW,
            new_cart_id=lambda: next(ids),
        )

    def cart(self, customer: str | None = "customer-42", beans: int = 2) -> str:
        cart_id = self.service.create_cart(CreateCart(customer, "USD")).priced.cart.cart_id
        self.service.add_item(cart_id, AddItem("BEANS", beans))
        return cart_id

    def view(self, cart_id: str) -> dict[str, Any]:
        return cart_view(self.service.get_cart(cart_id))


@pytest.fixture
def shop() -> Shop:
    return Shop()


def test_an_entered_code_discounts_the_cart_and_the_view_shows_it(shop: Shop) -> None:
    cart = shop.cart()  # 40.00 of beans
    view = cart_view(shop.service.enter_discount_code(cart, "welcome10"))
    assert view["discountCodes"] == ["WELCOME10"]
    assert view["discounts"] == [
        {
            "promotionId": "welcome-10",
            "code": "WELCOME10",
            "title": "10% off your order of 30.00 or more",
            "amount": "4.00",
        }
    ]
    assert (view["subtotalAmount"], view["discountAmount"], view["totalAmount"]) == (
        "40.00",
        "4.00",
        "36.00",
    )
    assert view["items"][0]["discountAmount"] == "4.00"


@pytest.mark.parametrize(
    ("code", "beans", "reason"),
    [("NOPE", 2, "UNKNOWN"), ("WELCOME10", 1, "MIN_SUBTOTAL"), ("GRINDER20", 2, "NOT_APPLICABLE")],
)
def test_a_code_that_cannot_apply_is_refused_with_its_reason(
    shop: Shop, code: str, beans: int, reason: str
) -> None:
    cart = shop.cart(beans=beans)
    with pytest.raises(DiscountCodeInvalid) as refused:
        shop.service.enter_discount_code(cart, code)
    assert refused.value.reason == reason
    assert shop.view(cart)["discountCodes"] == []


def test_a_guest_cannot_use_a_code_limited_per_customer(shop: Shop) -> None:
    cart = shop.cart(customer=None)
    with pytest.raises(DiscountCodeInvalid) as refused:
        shop.service.enter_discount_code(cart, "STAFF30", RequestContext(Caller(GUEST, None, cart)))
    assert refused.value.reason == "SIGN_IN_REQUIRED"


def test_a_code_entered_twice_changes_nothing_and_a_removed_code_stops_saving(shop: Shop) -> None:
    cart = shop.cart()
    first = shop.service.enter_discount_code(cart, "WELCOME10")
    again = shop.service.enter_discount_code(cart, "WELCOME10")
    assert again.cart.version == first.cart.version
    removed = cart_view(shop.service.remove_discount_code(cart, "welcome10"))
    assert (removed["discountCodes"], removed["discounts"], removed["totalAmount"]) == (
        [],
        [],
        "40.00",
    )
    with pytest.raises(DiscountCodeNotFound):
        shop.service.remove_discount_code(cart, "WELCOME10")


def test_a_code_whose_condition_stops_holding_stays_but_saves_nothing(shop: Shop) -> None:
    cart = shop.cart()
    shop.service.enter_discount_code(cart, "WELCOME10")
    view = cart_view(shop.service.update_item(cart, "BEANS", UpdateItem(1)))
    assert (view["discountCodes"], view["discounts"], view["totalAmount"]) == (
        ["WELCOME10"],
        [],
        "20.00",
    )


def test_a_non_stackable_code_applies_alone_when_it_saves_the_most(shop: Shop) -> None:
    cart = shop.cart(beans=3)  # 60.00
    shop.service.enter_discount_code(cart, "WELCOME10")
    view = cart_view(shop.service.enter_discount_code(cart, "STAFF30"))
    assert [d["code"] for d in view["discounts"]] == ["STAFF30"]
    assert view["totalAmount"] == "42.00"


def test_the_view_lists_the_automatic_promotion_a_larger_subtotal_unlocks(shop: Shop) -> None:
    cart = shop.cart(beans=4)  # 80.00 of the 100.00 that saves 5.00
    assert shop.view(cart)["approachingDiscounts"] == [
        {
            "promotionId": "spend-100-save-5",
            "title": "5.00 off orders of 100.00 or more",
            "amountRemaining": "20.00",
        }
    ]
    unlocked = cart_view(shop.service.add_item(cart, AddItem("BEANS", 1)))
    assert unlocked["approachingDiscounts"] == []
    assert [d["promotionId"] for d in unlocked["discounts"]] == ["spend-100-save-5"]
    assert unlocked["totalAmount"] == "95.00"


def test_checkout_freezes_the_discounts_and_counts_uses_up_to_the_limit(shop: Shop) -> None:
    for n in range(5):
        cart = shop.cart(customer=f"customer-{n}")
        shop.service.add_item(cart, AddItem("GRINDER-HAND", 1))
        shop.service.enter_discount_code(cart, "GRINDER20")
        checked_out = cart_view(shop.service.check_out(cart))
        assert checked_out["discounts"][0]["amount"] == "9.80"
    late = shop.cart(customer="customer-late")
    shop.service.add_item(late, AddItem("GRINDER-HAND", 1))
    with pytest.raises(DiscountCodeInvalid) as used_up:
        shop.service.enter_discount_code(late, "GRINDER20")
    assert used_up.value.reason == "USED_UP"
    shop.promotions.promotions.clear()  # what a checked-out cart shows no longer depends on it
    assert cart_view(shop.service.get_cart(cart))["totalAmount"] == "79.20"  # 40.00 + 39.20


def test_a_checkout_whose_code_was_used_up_meanwhile_changes_nothing(shop: Shop) -> None:
    carts = []
    for n in range(6):
        cart = shop.cart(customer=f"customer-{n}")
        shop.service.add_item(cart, AddItem("GRINDER-HAND", 1))
        shop.service.enter_discount_code(cart, "GRINDER20")  # all six before any checkout
        carts.append(cart)
    for cart in carts[:5]:
        shop.service.check_out(cart)
    before = shop.view(carts[5])
    with pytest.raises(DiscountUsedUpAtCheckout):
        shop.service.check_out(carts[5])
    assert shop.view(carts[5]) == before
    assert shop.promotions.uses("grinder-launch", None) == (5, 0)


def test_a_code_whose_promotion_has_not_started_is_refused_as_an_unknown_one(shop: Shop) -> None:
    """Guessing codes must not find the unreleased ones: the answer is a missing code's."""
    welcome = next(p for p in shop.promotions.all() if p.code == "WELCOME10")
    shop.promotions.put_many([welcome._replace(starts_at=NOW + timedelta(days=1))])
    cart = shop.cart(beans=2)
    with pytest.raises(DiscountCodeInvalid) as unreleased:
        shop.service.enter_discount_code(cart, "WELCOME10")
    with pytest.raises(DiscountCodeInvalid) as missing:
        shop.service.enter_discount_code(cart, "NOSUCHCODE")
    assert unreleased.value.reason == missing.value.reason == "UNKNOWN"
    assert shop.view(cart)["discountCodes"] == []
