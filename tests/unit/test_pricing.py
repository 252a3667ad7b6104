from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.domain.cart import Cart
from chalicelib.domain.lines import CartLine
from chalicelib.domain.money import Money
from chalicelib.domain.pricing import price_cart
from chalicelib.domain.products import Product
from chalicelib.edge.views import cart_view

T0 = datetime(2026, 11, 25, 16, 20, 31, 123456, tzinfo=UTC)


def cart_with(*lines: tuple[str, int], currency: str = "USD") -> Cart:
    cart = Cart("cart-1", "customer-42", currency, T0, T0, T0)
    cart.lines = [CartLine(pid, f"Name {pid}", qty, T0) for pid, qty in lines]
    return cart


def catalog(*entries: tuple[str, str, str]) -> dict[str, Product]:
    return {
        pid: Product(pid, f"Name {pid}", Money(Decimal(price), currency))
        for pid, price, currency in entries
    }


def test_line_totals_item_count_and_total() -> None:
    priced = price_cart(
        cart_with(("A", 2), ("B", 3)), catalog(("A", "19.99", "USD"), ("B", "0.10", "USD"))
    )
    view = cart_view(priced)
    assert [(i["unitPrice"], i["lineTotal"]) for i in view["items"]] == [
        ("19.99", "39.98"),
        ("0.10", "0.30"),
    ]
    assert view["itemCount"] == 5
    assert view["totalAmount"] == "40.28"


def test_a_product_gone_from_the_catalog_is_unavailable_and_not_totalled() -> None:
    view = cart_view(price_cart(cart_with(("A", 1), ("GONE", 4)), catalog(("A", "5.00", "USD"))))
    gone = view["items"][1]
    assert gone == {
        "productId": "GONE",
        "name": "Name GONE",
        "quantity": 4,
        "unitPrice": None,
        "lineTotal": None,
        "discountAmount": None,
        "taxAmount": None,
        "available": False,
        "addedAt": "2026-11-25T16:20:31.123Z",
        "attributes": {},
        "heldUntil": None,
    }
    assert view["itemCount"] == 5
    assert view["totalAmount"] == "5.00"


def test_a_product_now_priced_in_another_currency_is_unavailable() -> None:
    view = cart_view(price_cart(cart_with(("A", 1)), catalog(("A", "5.00", "EUR"))))
    assert view["items"][0]["available"] is False
    assert view["totalAmount"] == "0.00"


def test_an_empty_cart_totals_zero_in_its_currency() -> None:
    assert cart_view(price_cart(cart_with(currency="JPY"), {}))["totalAmount"] == "0"
    assert cart_view(price_cart(cart_with(currency="USD"), {}))["totalAmount"] == "0.00"


def test_timestamps_are_utc_milliseconds_with_z() -> None:
    view = cart_view(price_cart(cart_with(), {}))
    assert view["createdAt"] == "2026-11-25T16:20:31.123Z"
