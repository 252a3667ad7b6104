"""The per-operation Lambda functions: the REST bodies in and out, errors as problem objects."""

import time
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.clock import parse_timestamp
from chalicelib.domain.commands import MAX_OPERATIONS
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from tests.faults import FaultInjector, throttled
from tests.integration.clients import MISSING_CART, Api, Functions
from tests.openapi import assert_matches
from tools.stage import stage_settings

LOCAL = stage_settings("local")  # the stage the integration tests run as


def new_cart(functions: Functions) -> str:
    view = functions.invoke("create_cart", {"customerId": "customer-42"})
    assert_matches("Cart", view)
    return str(view["cartId"])


def test_each_operation_as_a_function(functions: Functions) -> None:
    cart = new_cart(functions)
    added = functions.invoke("add_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 2})
    assert (added["itemCount"], added["totalAmount"]) == (2, "39.98")
    functions.invoke("add_item", {"cartId": cart, "productId": "FILTER-100", "quantity": 1})
    updated = functions.invoke(
        "update_cart_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 3}
    )
    assert updated["totalAmount"] == "64.72"
    zeroed = functions.invoke(
        "update_cart_item", {"cartId": cart, "productId": "FILTER-100", "quantity": 0}
    )
    assert [item["productId"] for item in zeroed["items"]] == ["ESP-1KG"]
    functions.invoke("add_item", {"cartId": cart, "productId": "MUG-CER", "quantity": 1})
    removed = functions.invoke("remove_item", {"cartId": cart, "productId": "MUG-CER"})
    assert [item["productId"] for item in removed["items"]] == ["ESP-1KG"]
    read = functions.invoke("get_cart", {"cartId": cart})
    assert_matches("Cart", read)
    assert read == removed
    assert functions.invoke("delete_cart", {"cartId": cart}) is None
    assert functions.invoke("get_cart", {"cartId": cart})["code"] == "CART_NOT_FOUND"


def test_a_function_answers_like_the_rest_api(functions: Functions, api: Api) -> None:
    cart = new_cart(functions)
    functions.invoke("add_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 1})
    assert functions.invoke("get_cart", {"cartId": cart}) == api.call("GET", f"/carts/{cart}").json


@pytest.mark.parametrize(
    ("function", "payload", "status", "code", "field"),
    [
        ("get_cart", {}, 400, "VALIDATION_ERROR", "cartId"),
        ("get_cart", {"cartId": 7}, 400, "VALIDATION_ERROR", "cartId"),
        ("get_cart", {"cartId": MISSING_CART, "extra": 1}, 400, "VALIDATION_ERROR", "extra"),
        ("get_cart", [MISSING_CART], 400, "INVALID_JSON", None),
        ("get_cart", {"cartId": MISSING_CART}, 404, "CART_NOT_FOUND", None),
        ("delete_cart", {"cartId": MISSING_CART}, 404, "CART_NOT_FOUND", None),
        ("create_cart", {"customerId": "bad id"}, 400, "VALIDATION_ERROR", "customerId"),
        (
            "add_item",
            {"cartId": MISSING_CART, "productId": "ESP-1KG"},
            400,
            "VALIDATION_ERROR",
            "quantity",
        ),
        (
            "add_item",
            {"cartId": MISSING_CART, "productId": "ESP-1KG", "quantity": 1},
            404,
            "CART_NOT_FOUND",
            None,
        ),
        (
            "update_cart_item",
            {"cartId": MISSING_CART, "productId": "X", "quantity": -1},
            400,
            "VALIDATION_ERROR",
            "quantity",
        ),
        ("remove_item", {"cartId": MISSING_CART, "productId": "X"}, 404, "CART_NOT_FOUND", None),
    ],
)
def test_errors_come_back_as_problem_objects(
    functions: Functions, function: str, payload: object, status: int, code: str, field: str | None
) -> None:
    problem = functions.invoke(function, payload)
    assert_matches("Problem", problem)
    assert (problem["status"], problem["code"]) == (status, code)
    if field:
        assert field in [error["field"] for error in problem["errors"]]


def test_item_errors_name_the_line(functions: Functions) -> None:
    cart = new_cart(functions)
    assert functions.invoke("remove_item", {"cartId": cart, "productId": "ESP-1KG"})["code"] == (
        "ITEM_NOT_FOUND"
    )
    refused = functions.invoke("add_item", {"cartId": cart, "productId": "NOPE", "quantity": 1})
    assert refused["code"] == "PRODUCT_NOT_FOUND"


def test_deleting_a_cart_with_lines(functions: Functions) -> None:
    cart = new_cart(functions)
    functions.invoke("add_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 1})
    assert functions.invoke("delete_cart", {"cartId": cart}) is None
    assert functions.invoke("delete_cart", {"cartId": cart})["code"] == "CART_NOT_FOUND"


def test_removing_a_line_keeps_the_others_from_expiring_before_the_cart(
    functions: Functions, dynamodb: Any
) -> None:
    cart = new_cart(functions)
    for product in ("ESP-1KG", "MUG-CER"):
        functions.invoke("add_item", {"cartId": cart, "productId": product, "quantity": 1})
    items = LOCAL.cart_items_table
    key = {"cartId": {"S": cart}, "productId": {"S": "ESP-1KG"}}
    soon = str(int(time.time()) + 60)  # as if added long ago: it would expire first
    dynamodb.update_item(
        TableName=items,
        Key=key,
        UpdateExpression="SET expiresAt = :soon",
        ExpressionAttributeValues={":soon": {"N": soon}},
    )
    view = functions.invoke("remove_item", {"cartId": cart, "productId": "MUG-CER"})
    line = dynamodb.get_item(TableName=items, Key=key)["Item"]
    assert int(line["expiresAt"]["N"]) > parse_timestamp(view["expiresAt"]).timestamp()


@pytest.mark.parametrize("source_lines", [2, 55])
def test_merge_carts_as_a_function(functions: Functions, dynamodb: Any, source_lines: int) -> None:
    ids = [f"FN-{index}" for index in range(source_lines)]
    DynamoProductRepository(dynamodb, LOCAL.products_table, LOCAL.stock_table).put_many(
        Product(pid, "x", Money(Decimal("1.00"), "USD")) for pid in ids
    )
    target, source = new_cart(functions), new_cart(functions)
    for first in range(0, source_lines, MAX_OPERATIONS):  # a batch at a time
        lines = [
            {"op": "add", "productId": pid, "quantity": 1}
            for pid in ids[first : first + MAX_OPERATIONS]
        ]
        functions.invoke("change_items", {"cartId": source, "operations": lines})
    merged = functions.invoke("merge_carts", {"cartId": target, "sourceCartId": source})
    assert merged["itemCount"] == source_lines
    assert functions.invoke("get_cart", {"cartId": source})["code"] == "CART_NOT_FOUND"


def test_checkout_and_list_as_functions(functions: Functions, dynamodb: Any) -> None:
    cart = new_cart(functions)
    for product in ("ESP-1KG", "MUG-CER"):
        functions.invoke("add_item", {"cartId": cart, "productId": product, "quantity": 1})
    items = LOCAL.cart_items_table
    key = {"cartId": {"S": cart}, "productId": {"S": "ESP-1KG"}}
    dynamodb.update_item(  # as if added long ago: it would expire before the checked-out cart
        TableName=items,
        Key=key,
        UpdateExpression="SET expiresAt = :soon",
        ExpressionAttributeValues={":soon": {"N": str(int(time.time()) + 60)}},
    )
    frozen = functions.invoke("checkout", {"cartId": cart})
    assert frozen["status"] == "CHECKED_OUT"
    line = dynamodb.get_item(TableName=items, Key=key)["Item"]
    assert int(line["expiresAt"]["N"]) > parse_timestamp(frozen["expiresAt"]).timestamp()
    page = functions.invoke("list_customer_carts", {"customerId": "customer-42", "limit": 50})
    assert_matches("CartsPage", page)
    assert cart in [summary["cartId"] for summary in page["carts"]]
    refused = functions.invoke("list_customer_carts", {"customerId": "customer-42", "limit": [1]})
    assert (refused["code"], refused["errors"][0]["field"]) == ("VALIDATION_ERROR", "limit")


def test_expected_version_is_if_match_for_a_function(functions: Functions) -> None:
    cart = new_cart(functions)
    functions.invoke("add_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 1})
    version = 2  # as the REST ETag would name it: created at 1, one change since
    stale = functions.invoke(
        "update_cart_item",
        {"cartId": cart, "productId": "ESP-1KG", "quantity": 5, "expectedVersion": version - 1},
    )
    assert stale["code"] == "PRECONDITION_FAILED"
    current = functions.invoke(
        "update_cart_item",
        {"cartId": cart, "productId": "ESP-1KG", "quantity": 5, "expectedVersion": version},
    )
    assert current["itemCount"] == 5
    deleted = functions.invoke("delete_cart", {"cartId": cart, "expectedVersion": version})
    assert deleted["code"] == "PRECONDITION_FAILED"
    assert functions.invoke("get_cart", {"cartId": cart})["itemCount"] == 5


@pytest.mark.parametrize(
    ("function", "payload", "field"),
    [
        ("delete_cart", {"expectedVersion": "3"}, "expectedVersion"),
        ("delete_cart", {"expectedVersion": 0}, "expectedVersion"),
        ("delete_cart", {"expectedVersion": True}, "expectedVersion"),
        ("get_cart", {"expectedVersion": 1}, "expectedVersion"),
        ("get_cart", {"idempotencyKey": "k"}, "idempotencyKey"),
        (
            "add_item",
            {"productId": "ESP-1KG", "quantity": 1, "idempotencyKey": ""},
            "idempotencyKey",
        ),
    ],
)
def test_a_function_checks_expected_version_and_idempotency_key_like_the_headers(
    functions: Functions, function: str, payload: dict[str, Any], field: str
) -> None:
    problem = functions.invoke(function, {"cartId": MISSING_CART, **payload})
    assert (problem["code"], problem["errors"][0]["field"]) == ("VALIDATION_ERROR", field)


def test_a_retried_add_with_its_idempotency_key_changes_nothing(functions: Functions) -> None:
    cart = new_cart(functions)
    add = {"cartId": cart, "productId": "ESP-1KG", "quantity": 2, "idempotencyKey": "fn-add-1"}
    first = functions.invoke("add_item", add)
    again = functions.invoke("add_item", add)
    assert again == first
    assert functions.invoke("get_cart", {"cartId": cart})["itemCount"] == 2
    reused = functions.invoke("add_item", {**add, "quantity": 3})
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"
    refused = {"cartId": cart, "productId": "NOPE", "quantity": 1, "idempotencyKey": "fn-add-2"}
    assert functions.invoke("add_item", refused)["code"] == "PRODUCT_NOT_FOUND"


def test_a_create_that_failed_with_its_idempotency_key_runs_again(
    functions: Functions, dynamodb: Any
) -> None:
    create = {"customerId": "customer-42", "idempotencyKey": "fn-create-1"}
    injector = FaultInjector(dynamodb)
    injector.fail("TransactWriteItems", throttled)  # the cart and its receipt: neither stored
    assert functions.invoke("create_cart", create)["code"] == "SERVICE_UNAVAILABLE"
    injector.fail("TransactWriteItems", throttled, times=0)
    created = functions.invoke("create_cart", create)
    assert created["status"] == "ACTIVE"
    assert functions.invoke("create_cart", create) == created


@pytest.mark.parametrize(
    ("function", "change"),
    [
        ("update_cart", {"note": "Leave it by the door"}),
        ("apply_discount_code", {"code": "WELCOME10"}),
        ("remove_discount_code", {"code": "WELCOME10"}),
    ],
)
def test_a_change_to_the_cart_itself_keeps_its_lines_from_expiring_before_it(
    functions: Functions, dynamodb: Any, function: str, change: dict[str, Any]
) -> None:
    """A line not written for over a week would expire before its cart's new expiry: the
    change moves it along (and the function's policy lets it)."""
    cart = new_cart(functions)
    functions.invoke("add_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 2})
    if function == "remove_discount_code":
        functions.invoke("apply_discount_code", {"cartId": cart, "code": "WELCOME10"})
    key = {"cartId": {"S": cart}, "productId": {"S": "ESP-1KG"}}
    soon = int(time.time()) + 86400  # written long ago: it expires tomorrow
    dynamodb.update_item(
        TableName=LOCAL.cart_items_table,
        Key=key,
        UpdateExpression="SET expiresAt = :soon",
        ExpressionAttributeValues={":soon": {"N": str(soon)}},
    )
    changed = functions.invoke(function, {"cartId": cart, **change})
    assert "code" not in changed, changed
    line = dynamodb.get_item(TableName=LOCAL.cart_items_table, Key=key)["Item"]
    row = dynamodb.get_item(TableName=LOCAL.carts_table, Key={"cartId": {"S": cart}})["Item"]
    assert int(line["expiresAt"]["N"]) > int(row["expiresAt"]["N"])
