"""UCP's cart capability over REST (/ucp/carts) in process: the same carts as /carts, money in
minor units, problems as messages, receipts shared with /carts; every answer checked against
UCP's own schemas (release 2026-04-08)."""

from decimal import Decimal
from typing import Any

import pytest

import app as app_module
from chalicelib import wiring
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.settings import Settings
from tests.integration.clients import Api, Reply
from tests.ucp_schemas import CART, ERROR_RESPONSE, business_profile_errors, errors

AGENT = {"UCP-Agent": 'profile="https://agent.example/.well-known/ucp"'}
TWO_LINES = {
    "line_items": [
        {"item": {"id": "ESP-1KG"}, "quantity": 2},
        {"item": {"id": "MUG-CER"}, "quantity": 1},
    ]
}


def ucp(api: Api, method: str, path: str, body: Any = None, **headers: str) -> Reply:
    reply = api.call(method, f"/ucp{path}", body, {**AGENT, **headers})
    if reply.status_code < 400:  # every answer is UCP's cart or UCP's error response
        schema = ERROR_RESPONSE if reply.json["ucp"].get("status") == "error" else CART
        assert errors(reply.json, schema) == []
    return reply


def lines(document: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(li["id"], li["quantity"], li["item"]["price"]) for li in document["line_items"]]


def test_a_cart_made_through_ucp_is_the_cart_carts_serves(api: Api) -> None:
    created = ucp(api, "POST", "/carts", TWO_LINES)
    assert created.status_code == 201
    cart = created.json
    assert lines(cart) == [("ESP-1KG", 2, 1999), ("MUG-CER", 1, 1200)]
    assert cart["line_items"][0]["totals"] == [
        {"type": "subtotal", "amount": 3998},
        {"type": "total", "amount": 3998},
    ]
    assert [(t["type"], t["amount"]) for t in cart["totals"]] == [
        ("subtotal", 5198),
        ("total", 5198),
    ]
    assert cart["currency"] == "USD"
    assert cart["continue_url"] == f"http://127.0.0.1:8001/#cart={cart['id']}"
    same = api.call("GET", f"/carts/{cart['id']}")
    assert same.json["expiresAt"] == cart["expires_at"]
    assert [(i["productId"], i["quantity"]) for i in same.json["items"]] == [
        ("ESP-1KG", 2),
        ("MUG-CER", 1),
    ]
    assert same.json["subtotalAmount"] == "51.98"
    assert same.headers["ETag"] == created.headers["ETag"]
    # A change through /carts shows through UCP, with its version.
    api.call("POST", f"/carts/{cart['id']}/items", {"productId": "FILTER-100", "quantity": 1})
    seen = ucp(api, "GET", f"/carts/{cart['id']}")
    assert [li["id"] for li in seen.json["line_items"]] == ["ESP-1KG", "MUG-CER", "FILTER-100"]
    assert seen.headers["ETag"] == api.call("GET", f"/carts/{cart['id']}").headers["ETag"]


def test_update_replaces_the_line_items(api: Api) -> None:
    cart_id = ucp(api, "POST", "/carts", TWO_LINES).json["id"]
    body = {
        "id": cart_id,
        "line_items": [
            {"item": {"id": "MUG-CER"}, "quantity": 1},
            {"item": {"id": "FILTER-100"}, "quantity": 3},
        ],
    }
    updated = ucp(api, "PUT", f"/carts/{cart_id}", body)
    assert updated.status_code == 200
    assert lines(updated.json) == [("MUG-CER", 1, 1200), ("FILTER-100", 3, 475)]
    view = api.call("GET", f"/carts/{cart_id}").json
    assert [(i["productId"], i["quantity"]) for i in view["items"]] == [
        ("MUG-CER", 1),
        ("FILTER-100", 3),
    ]
    # The body's id, when sent, must be the path's.
    other = ucp(api, "PUT", f"/carts/{cart_id}", {**body, "id": "another"})
    assert other.json["messages"][0]["path"] == "$.id"


def test_cancel_answers_the_cart_before_it_went_and_then_it_is_not_found(api: Api) -> None:
    cart_id = ucp(api, "POST", "/carts", TWO_LINES).json["id"]
    canceled = ucp(api, "POST", f"/carts/{cart_id}/cancel", {}, **{"Idempotency-Key": "k-1"})
    assert canceled.status_code == 200
    assert lines(canceled.json) == [("ESP-1KG", 2, 1999), ("MUG-CER", 1, 1200)]
    assert api.call("GET", f"/carts/{cart_id}").status_code == 404
    gone = ucp(api, "GET", f"/carts/{cart_id}")
    assert gone.status_code == 200
    assert gone.json["messages"] == [
        {
            "type": "error",
            "code": "not_found",
            "content": f"cart {cart_id} does not exist",
            "severity": "unrecoverable",
        }
    ]
    # A retry of the cancel answers as the first one did.
    again = ucp(api, "POST", f"/carts/{cart_id}/cancel", {}, **{"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json) == (200, canceled.json)


def test_idempotency_keys_are_the_receipts_carts_uses(api: Api) -> None:
    key = {"Idempotency-Key": "4b0c7f4e-5a44-4f5e-9a0e-1c2d3e4f5a6b"}
    first = ucp(api, "POST", "/carts", TWO_LINES, **key)
    again = ucp(api, "POST", "/carts", TWO_LINES, **key)
    assert (again.status_code, again.json) == (201, first.json)
    reused = ucp(api, "POST", "/carts", {"line_items": []}, **key)
    assert (reused.status_code, reused.json["code"]) == (409, "idempotency_key_reused")
    # The same key on /carts is the same receipt: another request, refused.
    elsewhere = api.call("POST", "/carts", {"customerId": "customer-42"}, key)
    assert (elsewhere.status_code, elsewhere.json["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_a_refused_create_makes_no_cart_and_names_the_line(api: Api) -> None:
    body = {
        "line_items": [
            {"item": {"id": "ESP-1KG"}, "quantity": 2},
            {"item": {"id": "NO-SUCH-THING"}, "quantity": 1},
        ]
    }
    refused = ucp(api, "POST", "/carts", body)
    assert refused.status_code == 200
    assert refused.json["ucp"]["status"] == "error"
    (message,) = refused.json["messages"]
    assert (message["code"], message["path"], message["severity"]) == (
        "item_unavailable",
        "$.line_items[1].item.id",
        "recoverable",
    )
    too_many = ucp(
        api, "POST", "/carts", {"line_items": [{"item": {"id": "ESP-1KG"}, "quantity": 1000}]}
    )
    assert too_many.json["messages"][0]["path"] == "$.line_items[0].quantity"
    assert "id" not in too_many.json


def test_requests_without_a_profile_or_json_are_protocol_errors(api: Api) -> None:
    missing = api.call("POST", "/ucp/carts", TWO_LINES)
    assert (missing.status_code, missing.json["code"]) == (400, "invalid_profile_url")
    broken = api.call("POST", "/ucp/carts", b"{not json", AGENT)
    assert (broken.status_code, broken.json["code"]) == (400, "invalid_json")
    bad_id = ucp(api, "GET", "/carts/not-a-cart")
    assert bad_id.json["messages"][0]["path"] == "$.id"


def test_a_price_change_and_short_stock_are_messages_on_the_cart(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    cart_id = ucp(api, "POST", "/carts", TWO_LINES).json["id"]
    catalog = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    products = catalog.get_many(["ESP-1KG", "MUG-CER"])
    catalog.put_many([products["ESP-1KG"]._replace(unit_price=Money(Decimal("21.49"), "USD"))])
    catalog.set_stock({"MUG-CER": (0,)})
    app_module.services.use(wiring.build(settings, dynamodb))  # no prices cached
    cart = ucp(api, "GET", f"/carts/{cart_id}").json
    assert lines(cart)[0] == ("ESP-1KG", 2, 2149)
    assert [(m["type"], m["code"], m["path"]) for m in cart["messages"][:2]] == [
        ("warning", "price_changed", "$.line_items[0]"),
        ("error", "insufficient_stock", "$.line_items[1]"),
    ]
    assert cart["messages"][1]["severity"] == "recoverable"


def test_a_held_lot_is_a_message_on_the_cart_with_its_deadline(api: Api) -> None:
    """GEISHA-250G asks for holds: a cart made with it holds its units, and says until when."""
    geisha = {"line_items": [{"item": {"id": "GEISHA-250G"}, "quantity": 2}]}
    cart = ucp(api, "POST", "/carts", geisha).json
    assert errors(cart, CART) == []
    (held,) = [m for m in cart["messages"] if m["code"] == "held"]
    assert (held["type"], held["path"]) == ("info", "$.line_items[0]")
    view = api.call("GET", f"/carts/{cart['id']}").json
    assert (
        held["content"]
        == f"2 of GEISHA-250G held for this cart until {view['items'][0]['heldUntil']}."
    )


@pytest.mark.parametrize(
    ("currency", "price", "minor"), [("JPY", "1200", 1200), ("KWD", "1.250", 1250)]
)
def test_money_is_in_the_currency_s_own_minor_units(
    api: Api, dynamodb: Any, settings: Settings, currency: str, price: str, minor: int
) -> None:
    catalog = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    catalog.put_many([Product(f"TEA-{currency}", "Tea", Money(Decimal(price), currency))])
    body = {
        "line_items": [{"item": {"id": f"TEA-{currency}"}, "quantity": 3}],
        "context": {"currency": currency},
    }
    cart = ucp(api, "POST", "/carts", body).json
    assert (cart["currency"], lines(cart)) == (currency, [(f"TEA-{currency}", 3, minor)])
    assert cart["totals"][0] == {"type": "subtotal", "amount": 3 * minor}


def test_the_business_profile_names_what_this_stage_serves(api: Api) -> None:
    # Its endpoints are the stage's PUBLIC_BASE_URL: a shared cache keeps what it serves,
    # so nothing in it comes from a header the client wrote.
    forged = {"Host": "evil.example", "X-Forwarded-Proto": "javascript"}
    reply = api.call("GET", "/.well-known/ucp", headers=forged)
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "public, max-age=300"
    assert business_profile_errors(reply.json) == []
    ucp_meta = reply.json["ucp"]
    assert ucp_meta["version"] == "2026-04-08"
    endpoints = {s["transport"]: s["endpoint"] for s in ucp_meta["services"]["dev.ucp.shopping"]}
    assert endpoints == {
        "rest": "http://127.0.0.1:8000/ucp",
        "mcp": "http://127.0.0.1:8000/ucp/mcp",
    }
    assert list(ucp_meta["capabilities"]) == ["dev.ucp.shopping.cart"]
    # The REST endpoint serves carts there.
    rest_path = endpoints["rest"].removeprefix("http://127.0.0.1:8000")
    assert api.call("POST", f"{rest_path}/carts", TWO_LINES, AGENT).status_code == 201


def test_the_context_s_address_gives_delivery_and_tax_in_the_totals(api: Api) -> None:
    californian = {
        "line_items": [{"item": {"id": "KETTLE-GOOSE"}, "quantity": 1}],
        "context": {"address_country": "US", "address_region": "CA", "postal_code": "94103"},
    }
    cart = ucp(api, "POST", "/carts", californian).json
    # 54.95, standard delivery 5.99 (not taxed), sales tax 7.25% added: 3.98.
    assert [(t["type"], t["amount"]) for t in cart["totals"]] == [
        ("subtotal", 5495),
        ("fulfillment", 599),
        ("tax", 398),
        ("total", 6492),
    ]
    assert cart["totals"][1]["display_text"] == "Standard (USPS)"
    assert cart["totals"][2]["lines"] == [
        {"display_text": "California sales tax 7.25%", "amount": 398}
    ]
    assert cart["line_items"][0]["totals"][-2:] == [
        {"type": "tax", "amount": 398},
        {"type": "total", "amount": 5893},
    ]
    same = api.call("GET", f"/carts/{cart['id']}").json
    assert (same["deliveryAddress"], same["totalAmount"]) == (
        {"country": "US", "region": "CA", "postalCode": "94103"},
        "64.92",
    )
    to_germany = {**TWO_LINES, "context": {"address_country": "DE", "postal_code": "80331"}}
    moved = ucp(api, "PUT", f"/carts/{cart['id']}", to_germany).json
    assert moved["totals"][-1]["display_text"] == "Total"  # USD prices: VAT added
    assert [t["type"] for t in moved["totals"]] == ["subtotal", "fulfillment", "tax", "total"]
    kept = ucp(api, "PUT", f"/carts/{cart['id']}", TWO_LINES).json  # no context: kept
    assert kept["totals"] == moved["totals"]


def test_an_address_nobody_delivers_to_is_a_warning_and_a_bad_one_names_its_field(
    api: Api,
) -> None:
    euro = {
        "line_items": [{"item": {"id": "STROOP-EU"}, "quantity": 1}],
        "context": {"currency": "EUR", "address_country": "DE"},
    }
    cart = ucp(api, "POST", "/carts", euro).json
    # VAT inside the prices: 6.80 x 7/107 = 0.44 on the stroopwafels, 4.90 x 19/119 = 0.78
    assert cart["totals"][-1]["display_text"] == "Total, including 1.22 EUR tax"
    assert "tax" not in [t["type"] for t in cart["totals"]]
    france = {**euro, "context": {"address_country": "FR"}}
    warned = ucp(api, "PUT", f"/carts/{cart['id']}", france).json
    assert [(m["type"], m["code"]) for m in warned["messages"]] == [("warning", "undeliverable")]
    for context, field in [
        ({"address_country": "Singapore"}, "$.context.address_country"),
        ({"address_country": "US", "address_region": "California"}, "$.context.address_region"),
        ({"postal_code": "94103"}, "$.context.address_country"),
    ]:
        refused = ucp(api, "POST", "/carts", {**euro, "context": context}).json
        assert [m["path"] for m in refused["messages"]] == [field]
