"""A cart field lives in one place of the adapter: dynamodb/rows.py's CART_FIELDS converts it
for a new row, for a decided change's update and for a read. A field the Cart gains without
a line there fails here; every field survives the row and back."""

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.domain.cart import Cart
from chalicelib.domain.delivery import DeliveryAddress, DeliveryOption
from chalicelib.domain.discounts import Discounts
from chalicelib.domain.lines import CartLine
from chalicelib.domain.money import Money
from chalicelib.domain.promotions import AppliedDiscount
from chalicelib.domain.tax import TaxComponent, TaxResult
from chalicelib.dynamodb.rows import CART_FIELDS, cart_from, new_cart_row

CORE = {
    "cart_id",
    "customer_id",
    "currency",
    "created_at",
    "updated_at",
    "expires_at",
    "status",
    "version",
    "lines",
    "merging_from",
    "merging_into",
    "merge_receipt",
}
"""What the row holds in attributes of its own: keys, times, the version, the merge's lock."""
T0 = datetime(2026, 12, 7, 12, 0, 0, 123000, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def test_every_field_of_the_cart_is_the_row_s_core_or_a_line_of_cart_fields() -> None:
    fields = {field.name for field in dataclasses.fields(Cart)}
    assert fields - CORE == {field.name for field in CART_FIELDS}


def test_a_cart_with_every_field_set_reads_back_as_it_was_written() -> None:
    vat = TaxComponent("VAT", Decimal("19"), usd("3.19"))
    cart = Cart(
        "c-1",
        "alice",
        "USD",
        T0,
        T0,
        T0.replace(microsecond=0),
        status="CHECKED_OUT",
        lines=[CartLine("BEANS", "Beans", 1, T0)],
        checkout_prices={"BEANS": usd("19.99")},
        note="ring twice",
        attributes={"gift": "yes"},
        discount_codes=["WELCOME10"],
        checkout_discounts=Discounts(
            usd("19.99"),
            {"BEANS": usd("2.00")},
            [AppliedDiscount("welcome-10", "WELCOME10", "10% off", usd("2.00"))],
            usd("2.00"),
        ),
        delivery_address=DeliveryAddress("DE", "BE", "10115"),
        delivery_option_id="express",
        checkout_delivery=DeliveryOption("express", "Express", usd("9.90"), 1, 2),
        checkout_tax=TaxResult({"BEANS": (vat,)}, (vat,)),
        checkout_tax_included=True,
    )
    assert cart_from(new_cart_row(cart, "request-1"), cart.lines) == cart
    empty = Cart("c-2", None, "USD", T0, T0, T0.replace(microsecond=0))
    row = new_cart_row(empty, None)
    assert {field.attribute for field in CART_FIELDS} & set(row) == set()  # absent when empty
    assert cart_from(row, []) == empty
