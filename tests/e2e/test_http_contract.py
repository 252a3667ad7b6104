"""The contract over real HTTP: every operation and every error code, as a storefront sees it."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
import requests

from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from examples import sigv4_client
from tests.e2e.conftest import Stack
from tests.openapi import assert_matches

JSON = {"Content-Type": "application/json"}


def url(stack: Stack, path: str) -> str:
    return stack.base_url + path


def new_cart(http: requests.Session, stack: Stack, currency: str = "USD") -> str:
    response = http.post(
        url(stack, "/carts"), json={"customerId": "customer-42", "currency": currency}
    )
    assert response.status_code == 201
    return str(response.json()["cartId"])


def add(http: requests.Session, stack: Stack, cart: str, product: str, quantity: Any) -> Any:
    return http.post(
        url(stack, f"/carts/{cart}/items"), json={"productId": product, "quantity": quantity}
    )


def assert_problem(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert_matches("Problem", body)
    assert (body["status"], body["code"]) == (status, code)
    return body


def test_every_operation_over_http(http: requests.Session, stack: Stack) -> None:
    created = http.post(url(stack, "/carts"), json={"customerId": "customer-42"})
    assert created.status_code == 201
    cart = created.json()["cartId"]
    assert created.headers["Location"] == f"/carts/{cart}"
    assert uuid.UUID(cart).version == 4

    assert add(http, stack, cart, "ESP-1KG", 2).status_code == 200
    view = add(http, stack, cart, "FILTER-100", 3).json()
    assert [(i["productId"], i["unitPrice"], i["lineTotal"]) for i in view["items"]] == [
        ("ESP-1KG", "19.99", "39.98"),
        ("FILTER-100", "4.75", "14.25"),
    ]
    assert (view["itemCount"], view["totalAmount"]) == (5, "54.23")
    assert http.get(url(stack, f"/carts/{cart}")).json() == view
    for document in (created.json(), view):
        assert_matches("Cart", document)

    updated = http.put(url(stack, f"/carts/{cart}/items/ESP-1KG"), json={"quantity": 4})
    assert (updated.status_code, updated.json()["totalAmount"]) == (200, "94.21")
    removed = http.delete(url(stack, f"/carts/{cart}/items/FILTER-100"))
    assert [i["productId"] for i in removed.json()["items"]] == ["ESP-1KG"]
    zeroed = http.put(url(stack, f"/carts/{cart}/items/ESP-1KG"), json={"quantity": 0})
    assert zeroed.json()["items"] == []

    deleted = http.delete(url(stack, f"/carts/{cart}"))
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert_problem(http.get(url(stack, f"/carts/{cart}")), 404, "CART_NOT_FOUND")


def test_every_response_has_a_request_id_that_is_in_the_logs(
    http: requests.Session, stack: Stack
) -> None:
    ok = http.post(url(stack, "/carts"), json={"customerId": "customer-42"})
    bad = http.get(url(stack, "/carts/nope"))
    for response in (ok, bad):
        request_id = response.headers["X-Request-Id"]
        logged = [
            json.loads(line)
            for line in stack.log.read_text().splitlines()
            if line.startswith("{") and request_id in line
        ]
        assert logged and all(entry["requestId"] == request_id for entry in logged)


REFUSED_ADDS = [
    (b"{", "INVALID_JSON", None),
    (b'"a string"', "INVALID_JSON", None),
    (b'{"productId": "ESP-1KG", "quantity": 2.0}', "VALIDATION_ERROR", "quantity"),
    (b'{"productId": "ESP-1KG", "quantity": 1, "qty": 1}', "VALIDATION_ERROR", "qty"),
    (b'{"productId": "bad id!", "quantity": 1}', "VALIDATION_ERROR", "productId"),
    (b'{"productId": "NOT-IN-CATALOG", "quantity": 1}', "PRODUCT_NOT_FOUND", None),
    (b'{"productId": "STROOP-EU", "quantity": 1}', "CURRENCY_MISMATCH", None),
    (b'{"productId": "ESP-1KG", "quantity": 999}', "QUANTITY_LIMIT", None),
]


@pytest.mark.parametrize(("body", "code", "field"), REFUSED_ADDS)
def test_a_refused_add_gets_its_code_and_changes_nothing(
    http: requests.Session, stack: Stack, body: bytes, code: str, field: str | None
) -> None:
    cart = new_cart(http, stack)
    before = add(http, stack, cart, "ESP-1KG", 1).json()
    response = http.post(url(stack, f"/carts/{cart}/items"), data=body, headers=JSON)
    problem = assert_problem(response, 400, code)
    if field:
        assert {"field": field} == {"field": problem["errors"][0]["field"]}
    assert http.get(url(stack, f"/carts/{cart}")).json() == before


def test_a_101st_product_is_line_limit(http: requests.Session, stack: Stack) -> None:
    DynamoProductRepository(
        stack.dynamodb, stack.settings.products_table, stack.settings.stock_table
    ).put_many(Product(f"LINE-{i}", "Line", Money(Decimal("0.50"), "USD")) for i in range(101))
    cart = new_cart(http, stack)
    for first in (0, 50):  # 100 lines, in two batches (adding them one by one took 15 s)
        lines: list[dict[str, Any]] = [
            {"op": "add", "productId": f"LINE-{i}", "quantity": 1} for i in range(first, first + 50)
        ]
        filled = http.patch(url(stack, f"/carts/{cart}/items"), json={"operations": lines})
        assert filled.status_code == 200, filled.text
    before = http.get(url(stack, f"/carts/{cart}")).json()
    assert (len(before["items"]), before["totalAmount"]) == (100, "50.00")
    assert_problem(add(http, stack, cart, "LINE-100", 1), 400, "LINE_LIMIT")
    assert http.get(url(stack, f"/carts/{cart}")).json() == before


def test_missing_carts_and_lines_are_404(http: requests.Session, stack: Stack) -> None:
    missing = str(uuid.uuid4())
    assert_problem(http.get(url(stack, f"/carts/{missing}")), 404, "CART_NOT_FOUND")
    assert_problem(add(http, stack, missing, "ESP-1KG", 1), 404, "CART_NOT_FOUND")
    cart = new_cart(http, stack)
    response = http.put(url(stack, f"/carts/{cart}/items/ESP-1KG"), json={"quantity": 1})
    assert_problem(response, 404, "ITEM_NOT_FOUND")
    assert_problem(http.delete(url(stack, f"/carts/{cart}/items/ESP-1KG")), 404, "ITEM_NOT_FOUND")


def test_a_cart_id_that_is_not_a_uuid4_is_a_validation_error(
    http: requests.Session, stack: Stack
) -> None:
    problem = assert_problem(http.get(url(stack, "/carts/12345")), 400, "VALIDATION_ERROR")
    assert problem["errors"] == [
        {"field": "cartId", "message": "must be a UUID version 4 in lowercase canonical form"}
    ]


def test_a_body_that_is_not_json_content_is_415(http: requests.Session, stack: Stack) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = http.post(url(stack, "/carts"), data="customerId=customer-42", headers=form)
    problem = assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in problem["detail"]


def test_a_product_that_left_the_catalog_stays_in_the_cart_unavailable(
    http: requests.Session, fresh_catalog_stack: Stack
) -> None:
    stack = fresh_catalog_stack  # the product's removal shows at once
    products = DynamoProductRepository(
        stack.dynamodb, stack.settings.products_table, stack.settings.stock_table
    )
    products.put_many([Product("SEASONAL", "Seasonal blend", Money(Decimal("9.99"), "USD"))])
    cart = new_cart(http, stack)
    add(http, stack, cart, "SEASONAL", 2)
    add(http, stack, cart, "ESP-1KG", 1)
    stack.dynamodb.delete_item(
        TableName=stack.settings.products_table, Key={"productId": {"S": "SEASONAL"}}
    )
    view = http.get(url(stack, f"/carts/{cart}")).json()
    assert view["items"][0] == {
        **view["items"][0],
        "productId": "SEASONAL",
        "name": "Seasonal blend",
        "available": False,
        "unitPrice": None,
        "lineTotal": None,
    }
    assert (view["itemCount"], view["totalAmount"]) == (3, "19.99")


def test_twenty_concurrent_adds_of_one_product_sum_exactly(
    http: requests.Session, stack: Stack
) -> None:
    cart = new_cart(http, stack)

    def add_three(_: int) -> int:
        with requests.Session() as session:
            return add(session, stack, cart, "ESP-250G", 3).status_code  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(add_three, range(20)))
    assert statuses == [200] * 20
    view = http.get(url(stack, f"/carts/{cart}")).json()
    assert [(i["productId"], i["quantity"]) for i in view["items"]] == [("ESP-250G", 60)]
    assert view["subtotalAmount"] == "389.40"


def test_throttling_on_first_attempts_is_retried_transparently(
    http: requests.Session, stack: Stack
) -> None:
    cart = new_cart(http, stack)
    stack.proxy.fail("TransactWriteItems", "ProvisionedThroughputExceededException", times=2)
    response = add(http, stack, cart, "ESP-1KG", 1)
    assert response.status_code == 200
    assert stack.proxy.calls["TransactWriteItems"] == 3


def test_throttling_that_never_ends_is_503_with_retry_after_and_nothing_written(
    http: requests.Session, stack: Stack
) -> None:
    cart = new_cart(http, stack)
    stack.proxy.fail("TransactWriteItems", "ThrottlingException")
    response = add(http, stack, cart, "ESP-1KG", 1)
    assert_problem(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["Retry-After"] == "1"
    stack.proxy.clear()
    assert http.get(url(stack, f"/carts/{cart}")).json()["items"] == []


def test_writers_that_keep_colliding_get_409_conflict(http: requests.Session, stack: Stack) -> None:
    cart = new_cart(http, stack)
    reasons = [{"Code": "TransactionConflict"}, {"Code": "None"}]
    stack.proxy.fail(
        "TransactWriteItems", "TransactionCanceledException", CancellationReasons=reasons
    )
    assert_problem(add(http, stack, cart, "ESP-1KG", 1), 409, "CONFLICT")
    assert stack.proxy.calls["TransactWriteItems"] > 1  # it was retried first
    stack.proxy.clear()
    assert http.get(url(stack, f"/carts/{cart}")).json()["items"] == []


def test_an_unexpected_failure_is_500_and_shows_no_aws_details(
    http: requests.Session, stack: Stack
) -> None:
    cart = new_cart(http, stack)
    stack.proxy.fail("GetItem", "ResourceNotFoundException", message="Requested resource not found")
    response = http.get(url(stack, f"/carts/{cart}"))
    problem = assert_problem(response, 500, "INTERNAL_ERROR")
    assert "resource" not in problem["detail"].lower()
    assert "Traceback" not in response.text


def test_the_readmes_sigv4_client_example_works(stack: Stack) -> None:
    # chalice local does not check signatures; this proves the example signs and calls.
    status, cart = sigv4_client.call(stack.base_url, "POST", "/carts", {"customerId": "c-1"})
    assert status == 201
    status, view = sigv4_client.call(stack.base_url, "GET", f"/carts/{cart['cartId']}")
    assert (status, view["cartId"]) == (200, cart["cartId"])
    status, problem = sigv4_client.call(stack.base_url, "GET", f"/carts/{uuid.uuid4()}")
    assert (status, problem["code"]) == (404, "CART_NOT_FOUND")
