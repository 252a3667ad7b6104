"""Guessing discount codes is slowed down: past ten refusals in an hour, on a cart or by a
caller, a code is answered 429 until the hour ends, and nothing changes."""

from datetime import UTC, datetime

import pytest

from chalicelib.domain.access import SHOPPER, Caller
from chalicelib.domain.attempts import MAX_REFUSED_CODES, window_at
from chalicelib.domain.errors import DiscountCodeInvalid, TooManyAttempts
from chalicelib.service.changes import RequestContext
from tests.unit.test_discount_codes import NOW, Shop


@pytest.fixture
def shop() -> Shop:
    return Shop()


def refuse(shop: Shop, cart: str, times: int, context: RequestContext | None = None) -> None:
    for attempt in range(times):
        with pytest.raises(DiscountCodeInvalid):
            shop.service.enter_discount_code(cart, f"GUESS{attempt}", context or RequestContext())


def test_after_ten_refused_codes_a_cart_takes_no_code_until_the_hour_ends(shop: Shop) -> None:
    cart = shop.cart()
    refuse(shop, cart, MAX_REFUSED_CODES)
    with pytest.raises(TooManyAttempts) as slowed:
        shop.service.enter_discount_code(cart, "WELCOME10")  # even one that would apply
    assert slowed.value.retry_after_seconds == (window_at(NOW).ends_at - NOW).seconds
    assert shop.view(cart)["discountCodes"] == []
    other = shop.cart()  # a trusted backend speaks for every shopper: counted per cart only
    assert shop.service.enter_discount_code(other, "WELCOME10").cart.discount_codes == ["WELCOME10"]


def test_a_shopper_guessing_across_carts_is_slowed_on_every_cart(shop: Shop) -> None:
    alice = RequestContext(Caller(SHOPPER, "customer-42"))
    first, second, third = shop.cart(), shop.cart(), shop.cart()
    refuse(shop, first, 5, alice)
    refuse(shop, second, 5, alice)
    with pytest.raises(TooManyAttempts):
        shop.service.enter_discount_code(third, "WELCOME10", alice)
    bob = RequestContext(Caller(SHOPPER, "customer-7"))
    bobs = shop.cart(customer="customer-7")
    assert shop.service.enter_discount_code(bobs, "WELCOME10", bob).cart.discount_codes == [
        "WELCOME10"
    ]


def test_windows_are_clock_hours() -> None:
    window = window_at(datetime(2026, 12, 4, 15, 42, 7, tzinfo=UTC))
    assert window == (window.name, datetime(2026, 12, 4, 16, tzinfo=UTC))
    assert window.name == "2026-12-04T15"
