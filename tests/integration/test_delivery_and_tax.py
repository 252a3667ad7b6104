"""Delivery options and tax in the cart, over the API with the sample rates
(data/delivery.sample.json, data/tax.sample.json): an address set with PATCH, the options
and tax in the view, the option chosen, checkout freezing them, and what the shopper sees
when nobody delivers there or the shop's tax service fails."""

import time
from decimal import Decimal
from typing import Any

import pytest

import app as app_module
from chalicelib import wiring
from chalicelib.domain.money import Money
from chalicelib.domain.tax import TaxComponent, TaxRequest, TaxResult
from chalicelib.settings import Settings
from tests.integration.clients import Api
from tools.data.load_rates import load_rates

BERLIN = {"country": "DE", "postalCode": "10115"}
MUNICH = {"country": "DE", "region": "BY", "postalCode": "80331"}
SAN_FRANCISCO = {"country": "US", "region": "CA", "postalCode": "94103"}


def cart_of(api: Api, currency: str, *lines: tuple[str, int]) -> str:
    created = api.call("POST", "/carts", {"currency": currency, "customerId": "customer-7"})
    assert created.status_code == 201, created.json
    cart = created.json["cartId"]
    for product, quantity in lines:
        added = api.call(
            "POST", f"/carts/{cart}/items", {"productId": product, "quantity": quantity}
        )
        assert added.status_code == 200, added.json
    return str(cart)


def deliver(api: Api, cart: str, body: dict[str, Any]) -> Any:
    reply = api.call("PATCH", f"/carts/{cart}", body)
    assert reply.status_code == 200, reply.json
    return reply.json


def test_a_cart_without_an_address_shows_no_delivery_and_no_tax(api: Api) -> None:
    view = api.call("GET", f"/carts/{cart_of(api, 'EUR', ('ESP-1KG-EU', 1))}").json
    assert (view["deliveryAddress"], view["deliveryOptions"], view["deliveryOptionId"]) == (
        None,
        [],
        None,
    )
    assert (view["deliveryAmount"], view["taxAmount"], view["taxLines"]) == (None, None, [])
    assert view["taxIncluded"] is True  # EUR prices include VAT, address or not
    assert view["items"][0]["taxAmount"] is None
    assert view["totalAmount"] == view["subtotalAmount"] == "18.90"


def test_a_german_address_on_a_euro_cart_shows_the_vat_inside_the_prices(api: Api) -> None:
    cart = cart_of(api, "EUR", ("ESP-1KG-EU", 2), ("MUG-CER-EU", 1))
    view = deliver(api, cart, {"deliveryAddress": MUNICH})
    assert view["deliveryAddress"] == MUNICH
    assert [
        (o["id"], o["amount"], o["minDays"], o["maxDays"]) for o in view["deliveryOptions"]
    ] == [
        ("standard", "4.90", 2, 4),
        ("express", "9.90", 1, 1),
    ]
    assert (view["deliveryOptionId"], view["deliveryAmount"]) == ("standard", "4.90")
    # Beans are food (7%), the mug and delivery standard (19%), each part of its price:
    # 37.80 x 7/107 = 2.47; 11.50 x 19/119 = 1.84; 4.90 x 19/119 = 0.78.
    assert [line["taxAmount"] for line in view["items"]] == ["2.47", "1.84"]
    assert view["taxLines"] == [
        {"name": "VAT", "rate": "7", "amount": "2.47"},
        {"name": "VAT", "rate": "19", "amount": "2.62"},
    ]
    assert (view["taxAmount"], view["taxIncluded"]) == ("5.09", True)
    assert (view["subtotalAmount"], view["totalAmount"]) == ("49.30", "54.20")


def test_a_californian_address_on_a_dollar_cart_adds_sales_tax(api: Api) -> None:
    cart = cart_of(api, "USD", ("GRINDER-BURR", 1), ("ESP-1KG", 1))
    view = deliver(api, cart, {"deliveryAddress": SAN_FRANCISCO})
    # Free standard delivery from 75.00; food is exempt in California, the grinder is not.
    assert [(o["id"], o["amount"]) for o in view["deliveryOptions"]] == [
        ("standard", "0.00"),
        ("express", "14.99"),
    ]
    # The automatic 5.00 off from 100.00 falls 4.33 on the grinder: 124.67 x 7.25% = 9.04.
    assert [line["discountAmount"] for line in view["items"]] == ["4.33", "0.67"]
    assert [line["taxAmount"] for line in view["items"]] == ["9.04", "0.00"]
    assert view["taxLines"] == [
        {"name": "California sales tax", "rate": "7.25", "amount": "9.04"},
        {"name": "California sales tax", "rate": "0", "amount": "0.00"},
    ]
    assert (view["taxAmount"], view["taxIncluded"]) == ("9.04", False)
    assert (view["subtotalAmount"], view["totalAmount"]) == ("148.99", "153.03")
    express = deliver(api, cart, {"deliveryOptionId": "express"})
    assert (express["deliveryOptionId"], express["deliveryAmount"]) == ("express", "14.99")
    assert express["totalAmount"] == "168.02"  # delivery is not taxed in California
    cheapest = deliver(api, cart, {"deliveryOptionId": None})
    assert (cheapest["deliveryOptionId"], cheapest["totalAmount"]) == ("standard", "153.03")


def test_tax_is_taken_of_the_discounted_lines(api: Api) -> None:
    cart = cart_of(api, "USD", ("GRINDER-BURR", 1))
    deliver(api, cart, {"deliveryAddress": SAN_FRANCISCO})
    view = api.call("POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"}).json
    # 129.00, 10% off (12.90) and 5.00 off from 100.00: 111.10 taxed at 7.25% = 8.05.
    assert view["items"][0]["discountAmount"] == "17.90"
    assert (view["taxAmount"], view["totalAmount"]) == ("8.05", "119.15")


def test_the_most_specific_zone_gives_the_options(api: Api) -> None:
    cart = cart_of(api, "EUR", ("STROOP-EU", 1))
    berlin = deliver(api, cart, {"deliveryAddress": BERLIN})
    assert [o["id"] for o in berlin["deliveryOptions"]] == ["standard", "express", "pickup"]
    assert (berlin["deliveryOptionId"], berlin["deliveryAmount"]) == ("pickup", "0.00")
    usd = cart_of(api, "USD", ("MUG-CER", 1))
    alaska = deliver(api, usd, {"deliveryAddress": {"country": "US", "region": "AK"}})
    assert [(o["id"], o["amount"]) for o in alaska["deliveryOptions"]] == [("standard", "12.99")]
    assert (alaska["taxAmount"], alaska["taxLines"]) == ("0.00", [])  # no Alaskan tax rule


def test_an_address_nobody_delivers_to_warns_and_checkout_refuses(api: Api) -> None:
    cart = cart_of(api, "EUR", ("STROOP-EU", 1))
    view = deliver(api, cart, {"deliveryAddress": {"country": "FR", "postalCode": "75001"}})
    assert (view["deliveryOptions"], view["deliveryOptionId"], view["deliveryAmount"]) == (
        [],
        None,
        None,
    )
    assert view["warnings"] == [{"code": "UNDELIVERABLE"}]
    refused = api.call("POST", f"/carts/{cart}/checkout")
    assert (refused.status_code, refused.json["code"]) == (409, "UNDELIVERABLE")
    assert refused.json["errors"][0]["field"] == "deliveryAddress"
    assert api.call("GET", f"/carts/{cart}").json["status"] == "ACTIVE"
    # A euro cart is not delivered to the US either (its methods are priced in dollars).
    to_us = deliver(api, cart, {"deliveryAddress": SAN_FRANCISCO})
    assert to_us["warnings"] == [{"code": "UNDELIVERABLE"}]
    removed = deliver(api, cart, {"deliveryAddress": None})
    assert (removed["deliveryAddress"], removed["warnings"], removed["taxAmount"]) == (
        None,
        [],
        None,
    )
    assert api.call("POST", f"/carts/{cart}/checkout").status_code == 200


def test_an_option_not_offered_at_the_address_is_refused_and_changes_nothing(api: Api) -> None:
    cart = cart_of(api, "USD", ("MUG-CER", 1))
    for body in (
        {"deliveryOptionId": "express"},  # no address yet
        {"deliveryAddress": {"country": "US", "region": "HI"}, "deliveryOptionId": "express"},
    ):
        refused = api.call("PATCH", f"/carts/{cart}", body)
        assert (refused.status_code, refused.json["code"]) == (400, "DELIVERY_OPTION_UNAVAILABLE")
        assert refused.json["errors"][0]["field"] == "deliveryOptionId"
    view = api.call("GET", f"/carts/{cart}")
    assert (view.json["deliveryAddress"], view.headers["ETag"]) == (None, '"2"')


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({"country": "UK"}, "deliveryAddress.country"),  # not ISO 3166-1: GB
        ({"country": "de"}, "deliveryAddress.country"),
        ({"region": "CA"}, "deliveryAddress.country"),
        ({"country": "US", "region": "California"}, "deliveryAddress.region"),
        ({"country": "US", "postalCode": "9" * 17}, "deliveryAddress.postalCode"),
        ({"country": "US", "postalCode": " 94103"}, "deliveryAddress.postalCode"),
        ({"country": "US", "street": "1 Main St"}, "deliveryAddress.street"),
        ("US", "deliveryAddress"),
    ],
)
def test_a_bad_address_is_refused_naming_the_field(api: Api, address: Any, field: str) -> None:
    cart = cart_of(api, "USD")
    refused = api.call("PATCH", f"/carts/{cart}", {"deliveryAddress": address})
    assert (refused.status_code, refused.json["code"]) == (400, "VALIDATION_ERROR")
    assert field in [error["field"] for error in refused.json["errors"]]


def test_checkout_freezes_the_delivery_and_tax_against_later_rates(
    api: Api, dynamodb: Any, settings: Settings, tmp_path: Any
) -> None:
    cart = cart_of(api, "EUR", ("ESP-1KG-EU", 2), ("MUG-CER-EU", 1))
    deliver(api, cart, {"deliveryAddress": MUNICH, "deliveryOptionId": "express"})
    checked_out = api.call("POST", f"/carts/{cart}/checkout")
    assert checked_out.status_code == 200, checked_out.json
    frozen = checked_out.json
    assert (frozen["deliveryOptionId"], frozen["deliveryAmount"]) == ("express", "9.90")
    assert [o["id"] for o in frozen["deliveryOptions"]] == ["express"]
    assert frozen["taxAmount"] == "5.89"  # 2.47 + 1.84 + 9.90 x 19/119 = 1.58
    higher = tmp_path / "tax.json"
    higher.write_text(
        '{"pricesIncludeTax": ["EUR"], "rules": [{"country": "DE", "name": "VAT", "rate": "25"}]}'
    )
    load_rates(dynamodb, settings, "tax", higher)
    app_module.services.use(wiring.build(settings, dynamodb))  # nothing cached
    later = api.call("GET", f"/carts/{cart}").json
    for field in ("deliveryOptions", "deliveryAmount", "taxLines", "taxAmount", "totalAmount"):
        assert later[field] == frozen[field]
    assert later["items"] == frozen["items"]


def slow_tax_service(request: TaxRequest) -> TaxResult:
    time.sleep(1)
    return house_tax_service(request)


def failing_tax_service(request: TaxRequest) -> TaxResult:
    raise ConnectionError("the tax service is down")


def wrong_tax_service(request: TaxRequest) -> TaxResult:
    return TaxResult({"SOMETHING-ELSE": ()})


@pytest.mark.parametrize("service", ["slow", "failing", "wrong"])
def test_a_failing_tax_service_shows_the_tables_estimate_with_a_warning(
    api: Api, dynamodb: Any, settings: Settings, service: str
) -> None:
    plugged = settings._replace(tax_service=f"{__name__}:{service}_tax_service", tax_timeout=0.1)
    app_module.services.use(wiring.build(plugged, dynamodb))
    cart = cart_of(api, "USD", ("GRINDER-BURR", 1))
    view = deliver(api, cart, {"deliveryAddress": SAN_FRANCISCO})
    assert view["warnings"] == [{"code": "TAX_ESTIMATED"}]
    assert view["taxAmount"] == "8.99"  # the rate table's: (129.00 - 5.00) x 7.25%
    checked_out = api.call("POST", f"/carts/{cart}/checkout")
    assert checked_out.json["warnings"] == [{"code": "TAX_ESTIMATED"}]  # kept for the order


def house_tax_service(request: TaxRequest) -> TaxResult:
    """A shop's own calculator: a flat 10% "House tax" on every line, none on delivery."""
    return TaxResult(
        {
            line.product_id: (
                _component("House tax", Decimal(10), line.amount.amount / 10, request.currency),
            )
            for line in request.lines
        }
    )


def _component(name: str, rate: Decimal, amount: Decimal, currency: str) -> TaxComponent:
    return TaxComponent(name, rate, Money(amount.quantize(Decimal("0.01")), currency))


def test_a_shops_tax_service_replaces_the_table(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    service = f"{__name__}:house_tax_service"
    app_module.services.use(wiring.build(settings._replace(tax_service=service), dynamodb))
    cart = cart_of(api, "USD", ("GRINDER-BURR", 1))
    view = deliver(api, cart, {"deliveryAddress": SAN_FRANCISCO})
    assert view["taxLines"] == [{"name": "House tax", "rate": "10", "amount": "12.40"}]
    assert (view["warnings"], view["totalAmount"]) == ([], "136.40")
