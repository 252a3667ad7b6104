"""The REST API in process (chalice.test.Client) on moto: routes, bodies, errors, retries."""

from decimal import Decimal
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.cart import Product
from chalicelib.dynamodb import DynamoProductRepository
from chalicelib.money import Money
from tests.faults import FaultInjector, dynamodb_error, throttled, transaction_conflict
from tests.integration.clients import MISSING_CART, Api, Reply


def assert_problem(response: Reply, status: int, code: str) -> None:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == code
    assert response.json["status"] == status
    assert response.headers["X-Request-Id"]


def test_create_cart_answers_201_with_location_and_the_view(api: Api) -> None:
    response = api.call("POST", "/carts", {"customerId": "customer-42", "currency": "EUR"})
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"] == f"/carts/{body['cartId']}"
    assert body["currency"] == "EUR"
    assert body["totalAmount"] == "0.00"
    assert api.call("GET", response.headers["Location"]).json == body


def test_the_whole_cart_lifecycle(api: Api) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    api.call("POST", f"/carts/{cart}/items", {"productId": "FILTER-100", "quantity": 1})
    added = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    assert added.status_code == 200
    assert [(i["productId"], i["quantity"], i["lineTotal"]) for i in added.json["items"]] == [
        ("ESP-1KG", 3, "59.97"),
        ("FILTER-100", 1, "4.75"),
    ]
    assert (added.json["itemCount"], added.json["totalAmount"]) == (4, "64.72")

    updated = api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 10})
    assert updated.json["items"][0]["lineTotal"] == "199.90"
    removed = api.call("DELETE", f"/carts/{cart}/items/FILTER-100")
    assert [i["productId"] for i in removed.json["items"]] == ["ESP-1KG"]
    zeroed = api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 0})
    assert (zeroed.json["items"], zeroed.json["totalAmount"]) == ([], "0.00")

    deleted = api.call("DELETE", f"/carts/{cart}")
    assert (deleted.status_code, deleted.body) == (204, b"")
    assert_problem(api.call("GET", f"/carts/{cart}"), 404, "CART_NOT_FOUND")


def test_every_response_carries_a_request_id(api: Api) -> None:
    ok = api.call("POST", "/carts", {"customerId": "c"})
    bad = api.call("POST", "/carts", {"customerId": ""})
    assert ok.headers["X-Request-Id"] != bad.headers["X-Request-Id"]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"{not json", "INVALID_JSON", None),
        (b"[]", "INVALID_JSON", None),
        ({"productId": "ESP-1KG"}, "VALIDATION_ERROR", "quantity"),
        ({"productId": "ESP-1KG", "quantity": "2"}, "VALIDATION_ERROR", "quantity"),
        ({"productId": "ESP-1KG", "quantity": 1, "note": "x"}, "VALIDATION_ERROR", "note"),
        ({"productId": "NOPE", "quantity": 1}, "PRODUCT_NOT_FOUND", None),
        ({"productId": "STROOP-EU", "quantity": 1}, "CURRENCY_MISMATCH", None),
        ({"productId": "ESP-1KG", "quantity": 999}, "QUANTITY_LIMIT", None),
    ],
)
def test_a_refused_add_item_says_why_and_changes_nothing(
    api: Api, body: Any, code: str, field: str | None
) -> None:
    cart = api.new_cart()
    before = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1}).json
    response = api.call("POST", f"/carts/{cart}/items", body)
    assert_problem(response, 400, code)
    if field:
        assert field in [error["field"] for error in response.json["errors"]]
    assert api.call("GET", f"/carts/{cart}").json == before


def test_a_101st_line_is_line_limit(api: Api, dynamodb: Any) -> None:
    DynamoProductRepository(dynamodb, wiring.settings().products_table).put_many(
        Product(f"BULK-{i}", "Bulk", Money(Decimal("1.00"), "USD")) for i in range(101)
    )
    cart = api.new_cart()
    for index in range(100):
        api.call("POST", f"/carts/{cart}/items", {"productId": f"BULK-{index}", "quantity": 1})
    before = api.call("GET", f"/carts/{cart}").json
    assert before["itemCount"] == 100
    response = api.call("POST", f"/carts/{cart}/items", {"productId": "BULK-100", "quantity": 1})
    assert_problem(response, 400, "LINE_LIMIT")
    assert api.call("GET", f"/carts/{cart}").json == before


def test_unknown_carts_and_lines_are_404(api: Api) -> None:
    assert_problem(api.call("GET", f"/carts/{MISSING_CART}"), 404, "CART_NOT_FOUND")
    assert_problem(api.call("DELETE", f"/carts/{MISSING_CART}"), 404, "CART_NOT_FOUND")
    assert_problem(
        api.call("POST", f"/carts/{MISSING_CART}/items", {"productId": "ESP-1KG", "quantity": 1}),
        404,
        "CART_NOT_FOUND",
    )
    cart = api.new_cart()
    assert_problem(api.call("DELETE", f"/carts/{cart}/items/ESP-1KG"), 404, "ITEM_NOT_FOUND")
    assert_problem(
        api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 2}), 404, "ITEM_NOT_FOUND"
    )


def test_malformed_path_parameters_are_validation_errors(api: Api) -> None:
    response = api.call("GET", "/carts/not-a-uuid")
    assert_problem(response, 400, "VALIDATION_ERROR")
    assert response.json["errors"][0]["field"] == "cartId"
    cart = api.new_cart()
    response = api.call("DELETE", f"/carts/{cart}/items/bad%20id")
    assert_problem(response, 400, "VALIDATION_ERROR")
    assert response.json["errors"][0]["field"] == "productId"


def test_chalices_own_errors_are_problem_json_too(api: Api) -> None:
    unsupported = api.call(
        "POST", "/carts", b"customerId=x", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert_problem(unsupported, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_problem(api.call("PATCH", "/carts"), 405, "METHOD_NOT_ALLOWED")


def test_throttling_on_the_first_attempts_is_retried_and_succeeds(api: Api) -> None:
    cart = api.new_cart()
    injector = FaultInjector(wiring.dynamodb())
    injector.fail("TransactWriteItems", throttled, times=2)
    response = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    assert response.status_code == 200
    assert response.json["itemCount"] == 2
    assert injector.calls["TransactWriteItems"] == 3


def test_throttling_that_never_ends_is_503_with_retry_after_and_no_write(api: Api) -> None:
    cart = api.new_cart()
    FaultInjector(wiring.dynamodb()).fail("TransactWriteItems", throttled)
    response = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    assert_problem(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response.headers["Retry-After"]) >= 1
    assert api.call("GET", f"/carts/{cart}").json["items"] == []


def test_a_conflict_that_outlasts_the_retries_is_409(api: Api) -> None:
    cart = api.new_cart()
    FaultInjector(wiring.dynamodb()).fail("TransactWriteItems", transaction_conflict)
    response = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    assert_problem(response, 409, "CONFLICT")
    assert api.call("GET", f"/carts/{cart}").json["items"] == []


def test_an_unexpected_failure_is_500_without_aws_details(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    cart = api.new_cart()
    FaultInjector(wiring.dynamodb()).fail(
        "GetItem",
        lambda: dynamodb_error(
            "ResourceNotFoundException", message="Requested resource not found: Table: Carts"
        ),
    )
    response = api.call("GET", f"/carts/{cart}")
    assert_problem(response, 500, "INTERNAL_ERROR")
    assert "Table" not in response.body.decode() and "Resource" not in response.body.decode()
    assert "ResourceNotFoundException" in caplog.text  # the log has what the client must not see


def test_deleting_a_cart_deletes_its_lines(api: Api, dynamodb: Any) -> None:
    cart = api.new_cart()
    for product in ("ESP-1KG", "FILTER-100", "MUG-CER"):
        api.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": 1})
    assert api.call("DELETE", f"/carts/{cart}").status_code == 204
    lines = dynamodb.query(
        TableName=wiring.settings().cart_items_table,
        KeyConditionExpression="cartId = :c",
        ExpressionAttributeValues={":c": {"S": cart}},
    )["Items"]
    assert lines == []
