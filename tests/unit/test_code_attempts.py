"""Guessing discount codes is slowed down: a code counts before it is checked, and is taken
back once accepted; past ten refused in an hour on a cart or by a caller, or past the
per-address limit from one client address, a code is answered 429 unchecked until the hour
ends, and nothing changes."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from chalicelib.domain.access import SHOPPER, Caller, guest
from chalicelib.domain.attempts import (
    MAX_REFUSED_CODES,
    MAX_REFUSED_CODES_PER_ADDRESS,
    window_at,
)
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


def a_guest(shop: Shop, address: str) -> tuple[str, RequestContext]:
    """A new guest cart, and its guest calling from `address`."""
    cart = shop.cart(customer=None)
    return cart, RequestContext(guest(cart), client_address=address)


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


def test_accepted_codes_are_taken_back_so_a_shopper_entering_good_codes_is_never_slowed(
    shop: Shop,
) -> None:
    cart = shop.cart()
    for _ in range(3 * MAX_REFUSED_CODES):  # the code again: accepted, nothing changes
        shop.service.enter_discount_code(cart, "WELCOME10")
    refuse(shop, cart, MAX_REFUSED_CODES)  # ten refusals are still checked
    with pytest.raises(TooManyAttempts):
        shop.service.enter_discount_code(cart, "WELCOME10")


def test_a_guest_making_new_carts_from_one_address_is_slowed_at_the_address_limit(
    shop: Shop,
) -> None:
    checked = 0
    for _ in range(MAX_REFUSED_CODES_PER_ADDRESS // MAX_REFUSED_CODES + 1):
        cart, context = a_guest(shop, "203.0.113.9")  # a fresh cart and token each time
        for attempt in range(MAX_REFUSED_CODES):
            try:
                shop.service.enter_discount_code(cart, f"GUESS{attempt}", context)
            except DiscountCodeInvalid:
                checked += 1
            except TooManyAttempts:
                pass
    assert checked == MAX_REFUSED_CODES_PER_ADDRESS
    cart, context = a_guest(shop, "203.0.113.9")
    with pytest.raises(TooManyAttempts):
        shop.service.enter_discount_code(cart, "WELCOME10", context)
    cart, elsewhere = a_guest(shop, "198.51.100.4")  # another address: its codes are checked
    assert shop.service.enter_discount_code(cart, "WELCOME10", elsewhere).cart.discount_codes == [
        "WELCOME10"
    ]


def test_codes_sent_at_once_check_at_most_the_limit(shop: Shop) -> None:
    cart, context = a_guest(shop, "203.0.113.9")

    def enter(attempt: int) -> str:
        try:
            shop.service.enter_discount_code(cart, f"GUESS{attempt}", context)
        except DiscountCodeInvalid:
            return "checked"
        except TooManyAttempts:
            return "slowed"
        return "accepted"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(enter, range(2 * MAX_REFUSED_CODES)))
    assert (outcomes.count("checked"), outcomes.count("slowed")) == (MAX_REFUSED_CODES, 10)


def test_windows_are_clock_hours() -> None:
    window = window_at(datetime(2026, 12, 4, 15, 42, 7, tzinfo=UTC))
    assert window == (window.name, datetime(2026, 12, 4, 16, tzinfo=UTC))
    assert window.name == "2026-12-04T15"
