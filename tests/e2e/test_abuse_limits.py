"""Limits against abuse, over HTTP: big bodies, bodies without a JSON content type, absurd
query values, floods of unknown fields, and a shopper hoarding carts."""

import uuid

import requests

from tests.e2e.conftest import Stack

JSON = {"Content-Type": "application/json"}


def cart_count(stack: Stack) -> int:
    return int(stack.dynamodb.scan(TableName=stack.settings.carts_table, Select="COUNT")["Count"])


def test_a_body_over_64_kib_is_413_and_nothing_is_created(stack: Stack) -> None:
    before = cart_count(stack)
    padding = "x" * (64 * 1024)
    response = requests.post(
        f"{stack.base_url}/carts",
        data=f'{{"customerId": "c", "note": "{padding}"}}',
        headers=JSON,
        timeout=30,
    )
    assert (response.status_code, response.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert cart_count(stack) == before


def test_a_body_without_a_content_type_is_415(stack: Stack) -> None:
    # What a browser may send without a CORS preflight: a body with no JSON content type.
    response = requests.post(f"{stack.base_url}/carts", data=b'{"customerId": "c"}', timeout=30)
    assert "Content-Type" not in response.request.headers
    assert (response.status_code, response.json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_a_limit_of_five_thousand_digits_is_a_validation_error(stack: Stack) -> None:
    response = requests.get(
        f"{stack.base_url}/customers/c/carts", params={"limit": "9" * 5000}, timeout=30
    )
    assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR")
    assert response.json()["errors"][0]["field"] == "limit"


def unknown_fields(count: int) -> str:
    fields = ", ".join(f'"f{n}": 0' for n in range(count))
    return f'{{"customerId": "c", {fields}}}'


def test_floods_of_unknown_fields_get_a_small_answer(stack: Stack) -> None:
    url = f"{stack.base_url}/carts"
    ten_thousand = requests.post(url, data=unknown_fields(10000), headers=JSON, timeout=30)
    assert (ten_thousand.status_code, ten_thousand.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert len(ten_thousand.content) <= 4096
    body = unknown_fields(5000)  # about as many as fit in 64 KiB
    assert len(body) < 64 * 1024
    refused = requests.post(url, data=body, headers=JSON, timeout=30)
    assert (refused.status_code, refused.json()["code"]) == (400, "VALIDATION_ERROR")
    assert len(refused.content) <= 4096
    assert len(refused.json()["errors"]) == 10


def test_a_shopper_holds_at_most_twenty_active_carts(shopper_stack: Stack) -> None:
    assert shopper_stack.issuer is not None
    token = shopper_stack.issuer.token(f"hoarder-{uuid.uuid4().hex[:8]}")
    headers = {**JSON, "Authorization": f"Bearer {token}"}
    url = f"{shopper_stack.base_url}/carts"
    carts = [requests.post(url, json={}, headers=headers, timeout=30) for _ in range(20)]
    assert [response.status_code for response in carts] == [201] * 20
    refused = requests.post(url, json={}, headers=headers, timeout=30)
    assert (refused.status_code, refused.json()["code"]) == (409, "CART_LIMIT")
    checked_out = carts[0].json()["cartId"]
    requests.post(
        f"{url}/{checked_out}/items",
        json={"productId": "MUG-CER", "quantity": 1},
        headers=headers,
        timeout=30,
    ).raise_for_status()
    requests.post(f"{url}/{checked_out}/checkout", headers=headers, timeout=30).raise_for_status()
    assert requests.post(url, json={}, headers=headers, timeout=30).status_code == 201
