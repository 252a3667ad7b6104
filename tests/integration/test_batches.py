"""PATCH /carts/{cartId}/items: up to 50 line operations, in order, all or none, one change."""

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from bench.calls import CallRecorder
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.settings import Settings
from tests.integration.clients import Api, Reply


def batch(api: Api, cart: str, *operations: dict[str, Any], **headers: str) -> Reply:
    return api.call("PATCH", f"/carts/{cart}/items", {"operations": list(operations)}, headers)


def add(product: str, quantity: int, **more: Any) -> dict[str, Any]:
    return {"op": "add", "productId": product, "quantity": quantity, **more}


def single(product: str, quantity: int) -> dict[str, Any]:
    return {"productId": product, "quantity": quantity}


def lines(view: dict[str, Any]) -> list[tuple[str, int]]:
    return [(line["productId"], line["quantity"]) for line in view["items"]]


def test_a_bundle_is_one_request_and_one_version(api: Api) -> None:
    cart = api.new_cart()
    bundle = batch(api, cart, add("ESP-1KG", 1), add("FILTER-100", 2), add("MUG-CER", 1))
    assert (bundle.status_code, bundle.headers["ETag"]) == (200, '"2"')
    assert lines(bundle.json) == [("ESP-1KG", 1), ("FILTER-100", 2), ("MUG-CER", 1)]
    assert api.call("GET", f"/carts/{cart}").json == bundle.json


def test_operations_apply_in_order_and_fold_into_one_change_per_line(api: Api) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", single("MUG-CER", 3))
    folded = batch(
        api,
        cart,
        add("ESP-1KG", 2, attributes={"grind": "fine"}),
        {"op": "set", "productId": "ESP-1KG", "quantity": 5},
        add("ESP-1KG", 1),
        {"op": "remove", "productId": "MUG-CER"},
        add("MUG-CER", 1),
        {"op": "set", "productId": "MUG-CER", "quantity": 0},
    )
    assert folded.status_code == 200, folded.json
    assert lines(folded.json) == [("ESP-1KG", 6)]
    assert folded.json["items"][0]["attributes"] == {"grind": "fine"}
    assert folded.headers["ETag"] == '"3"'
    assert api.call("GET", f"/carts/{cart}").json == folded.json


@pytest.mark.parametrize(
    ("operations", "status", "code", "field"),
    [
        (
            [add("ESP-1KG", 1), add("NOPE-1", 1)],
            400,
            "PRODUCT_NOT_FOUND",
            "operations[1].productId",
        ),
        (
            [add("ESP-1KG", 500), add("MUG-CER", 1), add("ESP-1KG", 500)],
            400,
            "QUANTITY_LIMIT",
            "operations[2].quantity",
        ),
        (
            [{"op": "remove", "productId": "MUG-CER"}],
            404,
            "ITEM_NOT_FOUND",
            "operations[0].productId",
        ),
        (
            [add("ESP-1KG", 1), {"op": "set", "productId": "SCALE-01", "quantity": 2}],
            404,
            "ITEM_NOT_FOUND",
            "operations[1].productId",
        ),
    ],
)
def test_the_first_refused_operation_is_named_and_nothing_changes(
    api: Api, operations: list[dict[str, Any]], status: int, code: str, field: str
) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", single("FILTER-100", 1))
    before = api.call("GET", f"/carts/{cart}")
    refused = batch(api, cart, *operations)
    assert (refused.status_code, refused.json["code"]) == (status, code)
    assert [error["field"] for error in refused.json["errors"]] == [field]
    after = api.call("GET", f"/carts/{cart}")
    assert (after.json, after.headers["ETag"]) == (before.json, before.headers["ETag"])


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"operations": []}, ["operations"]),
        ({"operations": [add("ESP-1KG", 1)] * 51}, ["operations"]),
        ({"operations": [{"productId": "ESP-1KG", "quantity": 1}]}, ["operations[0].op"]),
        (
            {"operations": [add("ESP-1KG", 1), add("ESP-1KG", 0), "add"]},
            ["operations[1].quantity", "operations[2]"],
        ),
        ({"operations": [add("ESP-1KG", 1, coupon="XMAS")]}, ["operations[0].coupon"]),
        (
            {"operations": [{"op": "remove", "productId": "ESP-1KG", "quantity": 1}]},
            ["operations[0].quantity"],
        ),
        (
            {"operations": [add("ESP-1KG", 1, attributes={"a b": "c"})]},
            ["operations[0].attributes"],
        ),
    ],
)
def test_malformed_operations_are_refused_with_every_field_named(
    api: Api, body: dict[str, Any], fields: list[str]
) -> None:
    cart = api.new_cart()
    refused = api.call("PATCH", f"/carts/{cart}/items", body)
    assert (refused.status_code, refused.json["code"]) == (400, "VALIDATION_ERROR")
    assert [error["field"] for error in refused.json["errors"]] == fields


def test_a_batch_that_would_pass_100_lines_is_refused_at_the_line_that_would(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    products = [f"T-{n:03}" for n in range(101)]
    catalog = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    catalog.put_many(Product(pid, pid, Money(Decimal("1.00"), "USD")) for pid in products)
    cart = api.new_cart()
    assert batch(api, cart, *(add(pid, 1) for pid in products[:50])).status_code == 200
    assert batch(api, cart, *(add(pid, 1) for pid in products[50:99])).status_code == 200
    refused = batch(api, cart, add(products[0], 1), add(products[99], 1), add(products[100], 1))
    assert (refused.status_code, refused.json["code"]) == (400, "LINE_LIMIT")
    assert refused.json["errors"][0]["field"] == "operations[2].productId"
    assert len(api.call("GET", f"/carts/{cart}").json["items"]) == 99


def test_a_batch_honours_if_match_and_its_idempotency_key(api: Api) -> None:
    cart = api.new_cart()
    stale = batch(api, cart, add("ESP-1KG", 1), **{"If-Match": '"5"'})
    assert (stale.status_code, stale.json["code"]) == (412, "PRECONDITION_FAILED")
    key = {"Idempotency-Key": "bundle-once"}
    first = batch(api, cart, add("ESP-1KG", 1), add("MUG-CER", 1), **key)
    again = batch(api, cart, add("ESP-1KG", 1), add("MUG-CER", 1), **key)
    assert again.json == first.json
    assert lines(api.call("GET", f"/carts/{cart}").json) == [("ESP-1KG", 1), ("MUG-CER", 1)]


@pytest.fixture
def counter(dynamodb: Any) -> Iterator[CallRecorder]:
    counter = CallRecorder(simulated_latency=0.05)  # calls at once overlap on a busy machine
    counter.attach(dynamodb)
    yield counter


def test_a_batch_of_20_waits_for_as_many_round_trips_as_one_add(
    api: Api, counter: CallRecorder
) -> None:
    """Prices cached (as in a warm container): a single add is its transaction and the
    read-back, a batch its read and its transaction."""
    cart = api.new_cart()
    operations = [add(pid, 1) for pid in ("ESP-1KG", "FILTER-100", "MUG-CER", "SCALE-01")] * 5
    assert batch(api, cart, *operations).status_code == 200  # the container's catalog cache
    with counter.recording():
        assert api.call("POST", f"/carts/{cart}/items", single("ESP-1KG", 1)).status_code == 200
    one_add = counter.round_trips
    with counter.recording():
        assert batch(api, cart, *operations).status_code == 200
    assert counter.round_trips == one_add == 2
    assert counter.operations.count("TransactWriteItems") == 1


def test_lines_a_batch_leaves_alone_do_not_expire_before_their_cart(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", single("MUG-CER", 1))
    key = {"cartId": {"S": cart}, "productId": {"S": "MUG-CER"}}
    soon = int(time.time()) + 86400  # written long ago: it expires tomorrow, before the cart
    dynamodb.update_item(
        TableName=settings.cart_items_table,
        Key=key,
        UpdateExpression="SET expiresAt = :soon",
        ExpressionAttributeValues={":soon": {"N": str(soon)}},
    )
    assert batch(api, cart, add("ESP-1KG", 1)).status_code == 200
    line = dynamodb.get_item(TableName=settings.cart_items_table, Key=key)["Item"]
    cart_row = dynamodb.get_item(TableName=settings.carts_table, Key={"cartId": {"S": cart}})
    assert int(line["expiresAt"]["N"]) > int(cart_row["Item"]["expiresAt"]["N"])
