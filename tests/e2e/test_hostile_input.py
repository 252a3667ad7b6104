"""Garbage in: every malformed request gets the right 4xx code and field, and changes nothing."""

import json
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Stack

JSON = "application/json"
CART = "{cart}"  # replaced by a real cart's id


def body(text: str) -> bytes:
    return text.encode()


def nested(depth: int) -> bytes:
    return b'{"customerId": ' + b"[" * depth + b"]" * depth + b"}"


# (method, path, content type, extra headers, body, status, code, field)
CASES: list[tuple[str, str, str, dict[str, str], bytes, int, str, str | None]] = [
    ("POST", "/carts", JSON, {}, body('{"customerId": 42}'), 400, "VALIDATION_ERROR", "customerId"),
    ("POST", "/carts", JSON, {}, body('{"customerId": ""}'), 400, "VALIDATION_ERROR", "customerId"),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body(json.dumps({"customerId": "c" * 129})),
        400,
        "VALIDATION_ERROR",
        "customerId",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body('{"customerId": "\\uff43\\uff55\\uff53\\uff54"}'),
        400,
        "VALIDATION_ERROR",
        "customerId",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        json.dumps({"customerId": "shopper-\U0001f600"}).encode(),
        400,
        "VALIDATION_ERROR",
        "customerId",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body('{"customerId": "a\\u0000b"}'),
        400,
        "VALIDATION_ERROR",
        "customerId",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body('{"customerId": "c", "currency": "usd"}'),
        400,
        "VALIDATION_ERROR",
        "currency",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body('{"customerId": "c", "currency": 840}'),
        400,
        "VALIDATION_ERROR",
        "currency",
    ),
    ("POST", "/carts", JSON, {}, body("{}"), 400, "VALIDATION_ERROR", "customerId"),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body('{"customerId": "c", "admin": true}'),
        400,
        "VALIDATION_ERROR",
        "admin",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body('{"customerId": "a", "customerId": "b"}'),
        400,
        "VALIDATION_ERROR",
        "customerId",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body(json.dumps({"customerId": "a" * 60_000})),  # just under the 64 KiB limit
        400,
        "VALIDATION_ERROR",
        "customerId",
    ),
    (
        "POST",
        "/carts",
        JSON,
        {},
        body(json.dumps({"customerId": "a" * 1_000_000})),
        413,
        "PAYLOAD_TOO_LARGE",
        None,
    ),
    ("POST", "/carts", JSON, {}, nested(30_000), 400, "INVALID_JSON", None),
    ("POST", "/carts", JSON, {}, nested(100_000), 413, "PAYLOAD_TOO_LARGE", None),
    ("POST", "/carts", JSON, {}, body("[]"), 400, "INVALID_JSON", None),
    ("POST", "/carts", JSON, {}, body('"customer-42"'), 400, "INVALID_JSON", None),
    ("POST", "/carts", JSON, {}, body("null"), 400, "INVALID_JSON", None),
    ("POST", "/carts", JSON, {}, b"", 400, "INVALID_JSON", None),
    ("POST", "/carts", JSON, {}, body('{"customerId": "c"'), 400, "INVALID_JSON", None),
    ("POST", "/carts", JSON, {}, body('{"customerId": NaN}'), 400, "INVALID_JSON", None),
    ("POST", "/carts", JSON, {}, b'{"customerId": "\xff\xfe"}', 400, "INVALID_JSON", None),
    (
        "POST",
        "/carts",
        "text/plain",
        {},
        body('{"customerId": "c"}'),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        None,
    ),
    (
        "POST",
        "/carts",
        "application/x-www-form-urlencoded",
        {},
        body("customerId=c"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        None,
    ),
    ("POST", "/carts", "application/xml", {}, body("<cart/>"), 415, "UNSUPPORTED_MEDIA_TYPE", None),
    (
        "POST",
        "/carts",
        JSON,
        {"Idempotency-Key": "k" * 200},
        body('{"customerId": "c"}'),
        400,
        "VALIDATION_ERROR",
        "Idempotency-Key",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": 2.0}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": "2"}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": true}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": null}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": -1}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": 0}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": 1e3}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": 1e400}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": 999999999999999999999999999999999999999}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": 1000}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "../etc/passwd", "quantity": 1}'),
        400,
        "VALIDATION_ERROR",
        "productId",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "", "quantity": 1}'),
        400,
        "VALIDATION_ERROR",
        "productId",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body(json.dumps({"productId": "P" * 65, "quantity": 1})),
        400,
        "VALIDATION_ERROR",
        "productId",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": 1001, "quantity": 1}'),
        400,
        "VALIDATION_ERROR",
        "productId",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": 1, "quantity": 5}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "POST",
        f"/carts/{CART}/items",
        JSON,
        {},
        body('{"productId": "ESP-1KG", "quantity": {"$gt": 0}}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "PUT",
        f"/carts/{CART}/items/ESP-1KG",
        JSON,
        {},
        body('{"quantity": -5}'),
        400,
        "VALIDATION_ERROR",
        "quantity",
    ),
    (
        "PUT",
        f"/carts/{CART}/items/ESP-1KG",
        JSON,
        {},
        body('{"quantity": 1, "productId": "X"}'),
        400,
        "VALIDATION_ERROR",
        "productId",
    ),
    (
        "PUT",
        f"/carts/{CART}/items/ESP-1KG",
        JSON,
        {"If-Match": "latest"},
        body('{"quantity": 1}'),
        400,
        "VALIDATION_ERROR",
        "If-Match",
    ),
    (
        "GET",
        "/carts/0B6F1C9E-3F0A-4C55-9D9B-6A3F5F1D2E7A",
        JSON,
        {},
        b"",
        400,
        "VALIDATION_ERROR",
        "cartId",
    ),
    (
        "GET",
        "/carts/0b6f1c9e-3f0a-1c55-9d9b-6a3f5f1d2e7a",
        JSON,
        {},
        b"",
        400,
        "VALIDATION_ERROR",
        "cartId",
    ),
    (
        "DELETE",
        f"/carts/{CART}/items/ESP%201KG",
        JSON,
        {},
        b"",
        400,
        "VALIDATION_ERROR",
        "productId",
    ),
]


def carts_count(stack: Stack) -> int:
    return int(stack.dynamodb.scan(TableName=stack.settings.carts_table, Select="COUNT")["Count"])


@pytest.fixture
def cart(http: requests.Session, stack: Stack) -> str:
    created = http.post(f"{stack.base_url}/carts", json={"customerId": "customer-42"})
    cart_id = str(created.json()["cartId"])
    http.post(
        f"{stack.base_url}/carts/{cart_id}/items", json={"productId": "ESP-1KG", "quantity": 1}
    )
    return cart_id


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    ("method", "path", "content_type", "headers", "payload", "status", "code", "field"),
    CASES,
    ids=[f"{case[0]} {case[1][:20]} {case[4][:30]!r}" for case in CASES],
)
def test_malformed_input_is_refused_with_its_code_and_field_and_writes_nothing(
    http: requests.Session,
    stack: Stack,
    cart: str,
    method: str,
    path: str,
    content_type: str,
    headers: dict[str, str],
    payload: bytes,
    status: int,
    code: str,
    field: str | None,
) -> None:
    before = (carts_count(stack), http.get(f"{stack.base_url}/carts/{cart}").json())
    response = http.request(
        method,
        stack.base_url + path.replace(CART, cart),
        data=payload,
        headers={"Content-Type": content_type, **headers},
    )
    assert response.status_code == status, response.text[:300]
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code
    if field is not None:
        assert field in [error["field"] for error in problem["errors"]]
    assert (carts_count(stack), http.get(f"{stack.base_url}/carts/{cart}").json()) == before
