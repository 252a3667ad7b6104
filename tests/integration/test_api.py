"""The REST API in process (chalice.test.Client) on moto: routes, bodies, errors, retries."""

import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

import app as app_module
from chalicelib import wiring
from chalicelib.domain.clock import parse_timestamp
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from tests.faults import FaultInjector, dynamodb_error, throttled, transaction_conflict
from tests.integration.clients import MISSING_CART, Api, Reply
from tests.openapi import assert_matches
from tools.stage import stage_settings

LOCAL = stage_settings("local")  # the stage the integration tests run as


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
    DynamoProductRepository(dynamodb, LOCAL.products_table, LOCAL.stock_table).put_many(
        Product(f"BULK-{i}", "Bulk", Money(Decimal("1.00"), "USD")) for i in range(101)
    )
    cart = api.new_cart()
    api.fill(cart, [f"BULK-{index}" for index in range(100)])
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


def test_throttling_on_the_first_attempts_is_retried_and_succeeds(api: Api, dynamodb: Any) -> None:
    cart = api.new_cart()
    injector = FaultInjector(dynamodb)
    injector.fail("TransactWriteItems", throttled, times=2)
    response = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    assert response.status_code == 200
    assert response.json["itemCount"] == 2
    assert injector.calls["TransactWriteItems"] == 3


def test_throttling_that_never_ends_is_503_with_retry_after_and_no_write(
    api: Api, dynamodb: Any
) -> None:
    cart = api.new_cart()
    FaultInjector(dynamodb).fail("TransactWriteItems", throttled)
    response = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    assert_problem(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response.headers["Retry-After"]) >= 1
    assert api.call("GET", f"/carts/{cart}").json["items"] == []


def test_a_conflict_that_outlasts_the_retries_is_409(api: Api, dynamodb: Any) -> None:
    cart = api.new_cart()
    FaultInjector(dynamodb).fail("TransactWriteItems", transaction_conflict)
    response = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    assert_problem(response, 409, "CONFLICT")
    assert api.call("GET", f"/carts/{cart}").json["items"] == []


def test_an_unexpected_failure_is_500_without_aws_details(
    api: Api, caplog: pytest.LogCaptureFixture, dynamodb: Any
) -> None:
    cart = api.new_cart()
    FaultInjector(dynamodb).fail(
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
        TableName=LOCAL.cart_items_table,
        KeyConditionExpression="cartId = :c",
        ExpressionAttributeValues={":c": {"S": cart}},
    )["Items"]
    assert lines == []


def test_every_cart_response_carries_its_version_as_etag(api: Api) -> None:
    created = api.call("POST", "/carts", {"customerId": "c"})
    cart = created.json["cartId"]
    assert created.headers["ETag"] == '"1"'
    added = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    assert added.headers["ETag"] == '"2"'
    assert api.call("GET", f"/carts/{cart}").headers["ETag"] == '"2"'
    updated = api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 3})
    assert updated.headers["ETag"] == '"3"'
    assert api.call("DELETE", f"/carts/{cart}/items/ESP-1KG").headers["ETag"] == '"4"'


def test_if_match_applies_a_change_only_to_the_version_it_names(api: Api) -> None:
    cart = api.new_cart()
    etag = api.call(
        "POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1}
    ).headers["ETag"]
    api.call("POST", f"/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1})
    before = api.call("GET", f"/carts/{cart}")
    stale = {"If-Match": etag}
    refused = [
        api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 5}, stale),
        api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1}, stale),
        api.call("DELETE", f"/carts/{cart}/items/ESP-1KG", headers=stale),
        api.call("DELETE", f"/carts/{cart}", headers=stale),
    ]
    for response in refused:
        assert_problem(response, 412, "PRECONDITION_FAILED")
    assert api.call("GET", f"/carts/{cart}").json == before.json
    current = {"If-Match": before.headers["ETag"]}
    assert (
        api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 5}, current).status_code == 200
    )
    assert (
        api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 6}, {"If-Match": "*"}).json[
            "itemCount"
        ]
        == 7
    )


@pytest.mark.parametrize("if_match", ['W/"2"', "2", '"abc"', '"1", "2"', '"0"'])
def test_a_malformed_if_match_is_a_validation_error(api: Api, if_match: str) -> None:
    cart = api.new_cart()
    response = api.call("DELETE", f"/carts/{cart}", headers={"If-Match": if_match})
    assert_problem(response, 400, "VALIDATION_ERROR")
    assert response.json["errors"][0]["field"] == "If-Match"


def test_a_retried_create_with_its_idempotency_key_replays_the_first_answer(api: Api) -> None:
    key = {"Idempotency-Key": "order-flow-7f3a"}
    first = api.call("POST", "/carts", {"customerId": "customer-42"}, key)
    again = api.call("POST", "/carts", {"customerId": "customer-42"}, key)
    assert (again.status_code, again.json) == (201, first.json)
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["X-Request-Id"] != first.headers["X-Request-Id"]


def test_a_retried_add_changes_nothing_and_answers_as_the_first(api: Api) -> None:
    cart = api.new_cart()
    key = {"Idempotency-Key": "add-1"}
    body = {"productId": "ESP-1KG", "quantity": 2}
    first = api.call("POST", f"/carts/{cart}/items", body, key)
    api.call("POST", f"/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1})
    again = api.call("POST", f"/carts/{cart}/items", body, key)
    assert (again.status_code, again.json, again.headers["ETag"]) == (
        200,
        first.json,
        first.headers["ETag"],
    )
    quantities = {
        i["productId"]: i["quantity"] for i in api.call("GET", f"/carts/{cart}").json["items"]
    }
    assert quantities == {"ESP-1KG": 2, "MUG-CER": 1}


def test_the_same_key_for_another_request_is_refused(api: Api) -> None:
    cart = api.new_cart()
    key = {"Idempotency-Key": "k-1"}
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2}, key)
    other_body = api.call(
        "POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 3}, key
    )
    assert_problem(other_body, 409, "IDEMPOTENCY_KEY_REUSED")
    other_route = api.call("POST", "/carts", {"customerId": "c"}, key)
    assert_problem(other_route, 409, "IDEMPOTENCY_KEY_REUSED")
    assert api.call("GET", f"/carts/{cart}").json["itemCount"] == 2


def test_a_failed_request_stores_nothing_so_its_retry_runs(api: Api, dynamodb: Any) -> None:
    cart = api.new_cart()
    key = {"Idempotency-Key": "retry-after-limit"}
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 998})
    body = {"productId": "ESP-1KG", "quantity": 2}
    assert_problem(api.call("POST", f"/carts/{cart}/items", body, key), 400, "QUANTITY_LIMIT")
    api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 1})
    retried = api.call("POST", f"/carts/{cart}/items", body, key)
    assert (retried.status_code, retried.json["itemCount"]) == (200, 3)


@pytest.mark.parametrize("key", ["", "x" * 129, "caf\u00e9", "tab\there"])
def test_a_malformed_idempotency_key_is_a_validation_error(api: Api, key: str) -> None:
    response = api.call("POST", "/carts", {"customerId": "c"}, {"Idempotency-Key": key})
    assert_problem(response, 400, "VALIDATION_ERROR")
    assert response.json["errors"][0]["field"] == "Idempotency-Key"


def test_an_expired_cart_is_404_at_once_though_its_rows_remain(api: Api, dynamodb: Any) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    view = api.call("GET", f"/carts/{cart}").json
    assert view["expiresAt"] > view["updatedAt"]
    past = str(int(time.time()) - 1)
    dynamodb.update_item(
        TableName=LOCAL.carts_table,
        Key={"cartId": {"S": cart}},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": past}},
    )
    assert_problem(api.call("GET", f"/carts/{cart}"), 404, "CART_NOT_FOUND")
    body = {"productId": "ESP-1KG", "quantity": 1}
    assert_problem(api.call("POST", f"/carts/{cart}/items", body), 404, "CART_NOT_FOUND")
    assert_problem(api.call("DELETE", f"/carts/{cart}"), 404, "CART_NOT_FOUND")
    row = dynamodb.get_item(TableName=LOCAL.carts_table, Key={"cartId": {"S": cart}})
    assert "Item" in row  # DynamoDB's TTL deletes it later; the service never serves it


def test_a_cart_lives_its_ttl_after_its_last_change(api: Api) -> None:
    created = api.call("POST", "/carts", {"customerId": "c"}).json
    updated = parse_timestamp(created["updatedAt"])
    expires = parse_timestamp(created["expiresAt"])
    assert timedelta(days=30) - timedelta(seconds=1) <= expires - updated <= timedelta(days=30)


def bulk_products(dynamodb: Any, count: int) -> list[str]:
    ids = [f"BULK-{index}" for index in range(count)]
    DynamoProductRepository(dynamodb, LOCAL.products_table, LOCAL.stock_table).put_many(
        Product(pid, "Bulk", Money(Decimal("1.00"), "USD")) for pid in ids
    )
    return ids


def test_listing_a_customers_carts(api: Api) -> None:
    made = [api.new_cart(customerId="shopper-9") for _ in range(3)]
    api.new_cart(customerId="someone-else")
    first = api.call("GET", "/customers/shopper-9/carts?limit=2")
    assert first.status_code == 200
    assert_matches("CartsPage", first.json)
    assert [c["cartId"] for c in first.json["carts"]] == made[::-1][:2]
    token = first.json["nextToken"]
    rest = api.call("GET", f"/customers/shopper-9/carts?limit=2&nextToken={token}")
    assert [c["cartId"] for c in rest.json["carts"]] == [made[0]]
    assert rest.json["nextToken"] is None
    response = api.call("GET", f"/customers/someone-else/carts?nextToken={token}")
    assert_problem(response, 400, "VALIDATION_ERROR")
    assert response.json["errors"][0]["field"] == "nextToken"
    for query in ("limit=0", "limit=101", "limit=abc", "page=2"):
        assert_problem(
            api.call("GET", f"/customers/shopper-9/carts?{query}"), 400, "VALIDATION_ERROR"
        )


@pytest.mark.parametrize("source_lines", [2, 60])
def test_merging_a_guest_cart_at_sign_in(api: Api, dynamodb: Any, source_lines: int) -> None:
    products = bulk_products(dynamodb, source_lines)
    target, source = api.new_cart(), api.new_cart(customerId="guest")
    api.call("POST", f"/carts/{target}/items", {"productId": products[0], "quantity": 1})
    api.fill(source, products, quantity=2)
    etag = api.call("GET", f"/carts/{target}").headers["ETag"]
    merged = api.call(
        "POST", f"/carts/{target}/merge", {"sourceCartId": source}, {"If-Match": etag}
    )
    assert merged.status_code == 200, merged.body
    assert merged.json["itemCount"] == 1 + 2 * source_lines
    assert merged.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    assert_problem(api.call("GET", f"/carts/{source}"), 404, "CART_NOT_FOUND")
    again = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source})
    assert_problem(again, 404, "CART_NOT_FOUND")


def test_a_merge_that_breaks_a_limit_moves_nothing(api: Api) -> None:
    target, source = api.new_cart(), api.new_cart()
    api.call("POST", f"/carts/{target}/items", {"productId": "ESP-1KG", "quantity": 600})
    api.call("POST", f"/carts/{source}/items", {"productId": "ESP-1KG", "quantity": 400})
    before = (api.call("GET", f"/carts/{target}").json, api.call("GET", f"/carts/{source}").json)
    refused = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source})
    assert_problem(refused, 400, "QUANTITY_LIMIT")
    after = (api.call("GET", f"/carts/{target}").json, api.call("GET", f"/carts/{source}").json)
    assert after == before
    eur = api.new_cart(currency="EUR")
    assert_problem(
        api.call("POST", f"/carts/{target}/merge", {"sourceCartId": eur}), 400, "CURRENCY_MISMATCH"
    )
    same = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": target})
    assert_problem(same, 400, "VALIDATION_ERROR")


def test_checkout_freezes_the_cart_for_the_order_system(api: Api, dynamodb: Any) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    checked_out = api.call("POST", f"/carts/{cart}/checkout")
    assert checked_out.status_code == 200
    assert (checked_out.json["status"], checked_out.json["totalAmount"]) == ("CHECKED_OUT", "39.98")
    DynamoProductRepository(dynamodb, LOCAL.products_table, LOCAL.stock_table).put_many(
        [Product("ESP-1KG", "Espresso beans 1kg", Money(Decimal("24.99"), "USD"))]
    )
    app_module.services.use(wiring.build(LOCAL, dynamodb))  # a new container: prices unknown
    assert api.call("GET", f"/carts/{cart}").json["totalAmount"] == "39.98"
    for method, path, body in (
        ("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1}),
        ("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 1}),
        ("DELETE", f"/carts/{cart}/items/ESP-1KG", None),
        ("DELETE", f"/carts/{cart}", None),
        ("POST", f"/carts/{cart}/checkout", None),
    ):
        assert_problem(api.call(method, path, body), 409, "CART_NOT_ACTIVE")


def test_checkout_names_the_unavailable_lines(api: Api, dynamodb: Any) -> None:
    cart = api.new_cart()
    assert_problem(api.call("POST", f"/carts/{cart}/checkout"), 400, "CART_EMPTY")
    (gone,) = bulk_products(dynamodb, 1)
    api.call("POST", f"/carts/{cart}/items", {"productId": gone, "quantity": 1})
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    dynamodb.delete_item(TableName=LOCAL.products_table, Key={"productId": {"S": gone}})
    refused = api.call("POST", f"/carts/{cart}/checkout")
    assert_problem(refused, 400, "PRODUCTS_UNAVAILABLE")
    assert refused.json["unavailableProducts"] == [gone]
