"""A shopper across devices over HTTP: their carts, a guest cart merged at sign-in (also when
DynamoDB fails part-way), and the checkout hand-off."""

from decimal import Decimal
from typing import Any

import requests

from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from tests.e2e.conftest import Stack
from tests.openapi import assert_matches


def call(http: requests.Session, stack: Stack, method: str, path: str, body: Any = None) -> Any:
    return http.request(method, stack.base_url + path, json=body)


def new_cart(http: requests.Session, stack: Stack, customer: str) -> str:
    return str(call(http, stack, "POST", "/carts", {"customerId": customer}).json()["cartId"])


def test_a_customer_finds_their_carts_on_another_device(
    http: requests.Session, stack: Stack
) -> None:
    carts = [new_cart(http, stack, "device-hopper") for _ in range(3)]
    call(http, stack, "POST", f"/carts/{carts[0]}/items", {"productId": "ESP-1KG", "quantity": 2})
    listed, token = [], None
    while True:
        suffix = f"&nextToken={token}" if token else ""
        page = call(http, stack, "GET", f"/customers/device-hopper/carts?limit=2{suffix}").json()
        assert_matches("CartsPage", page)
        listed += page["carts"]
        token = page["nextToken"]
        if token is None:
            break
    assert [c["cartId"] for c in listed] == carts[::-1]
    assert listed[-1]["itemCount"] == 2
    forged = call(http, stack, "GET", "/customers/device-hopper/carts?nextToken=eyJ9.AAAA")
    assert (forged.status_code, forged.json()["code"]) == (400, "VALIDATION_ERROR")


def test_a_guest_cart_merged_at_sign_in(http: requests.Session, stack: Stack) -> None:
    signed_in, guest = new_cart(http, stack, "member-1"), new_cart(http, stack, "guest-1")
    call(http, stack, "POST", f"/carts/{signed_in}/items", {"productId": "ESP-1KG", "quantity": 1})
    call(http, stack, "POST", f"/carts/{guest}/items", {"productId": "ESP-1KG", "quantity": 2})
    call(http, stack, "POST", f"/carts/{guest}/items", {"productId": "MUG-CER", "quantity": 1})
    merged = call(http, stack, "POST", f"/carts/{signed_in}/merge", {"sourceCartId": guest})
    assert merged.status_code == 200
    assert [(i["productId"], i["quantity"]) for i in merged.json()["items"]] == [
        ("ESP-1KG", 3),
        ("MUG-CER", 1),
    ]
    retried = call(http, stack, "POST", f"/carts/{signed_in}/merge", {"sourceCartId": guest})
    assert (retried.status_code, retried.json()["code"]) == (404, "CART_NOT_FOUND")


def test_a_large_merge_cut_short_by_dynamodb_completes_when_retried(
    http: requests.Session, stack: Stack
) -> None:
    ids = [f"E2E-MERGE-{index}" for index in range(70)]
    DynamoProductRepository(
        stack.dynamodb, stack.settings.products_table, stack.settings.stock_table
    ).put_many(Product(pid, "x", Money(Decimal("2.00"), "USD")) for pid in ids)
    signed_in, guest = new_cart(http, stack, "member-2"), new_cart(http, stack, "guest-2")
    for first in (0, 50):  # in two batches
        lines = [{"op": "add", "productId": pid, "quantity": 1} for pid in ids[first : first + 50]]
        filled = call(http, stack, "PATCH", f"/carts/{guest}/items", {"operations": lines})
        assert filled.status_code == 200, filled.text
    # the merge locks both carts, moves 49 lines, then DynamoDB throttles for good
    stack.proxy.fail("TransactWriteItems", "ProvisionedThroughputExceededException", after=2)
    cut_short = call(http, stack, "POST", f"/carts/{signed_in}/merge", {"sourceCartId": guest})
    assert (cut_short.status_code, cut_short.json()["code"]) == (503, "SERVICE_UNAVAILABLE")
    stack.proxy.clear()
    meanwhile = call(
        http, stack, "POST", f"/carts/{signed_in}/items", {"productId": "ESP-1KG", "quantity": 1}
    )
    assert (meanwhile.status_code, meanwhile.json()["code"]) == (409, "CONFLICT")

    retried = call(http, stack, "POST", f"/carts/{signed_in}/merge", {"sourceCartId": guest})
    assert retried.status_code == 200
    assert (len(retried.json()["items"]), retried.json()["subtotalAmount"]) == (70, "140.00")
    assert call(http, stack, "GET", f"/carts/{guest}").status_code == 404


def test_checkout_hands_off_a_frozen_cart(http: requests.Session, stack: Stack) -> None:
    cart = new_cart(http, stack, "buyer")
    call(http, stack, "POST", f"/carts/{cart}/items", {"productId": "FILTER-100", "quantity": 4})
    frozen = call(http, stack, "POST", f"/carts/{cart}/checkout")
    assert frozen.status_code == 200
    assert (frozen.json()["status"], frozen.json()["totalAmount"]) == ("CHECKED_OUT", "19.00")
    assert call(http, stack, "GET", f"/carts/{cart}").json() == frozen.json()
    late = call(http, stack, "PUT", f"/carts/{cart}/items/FILTER-100", {"quantity": 1})
    assert (late.status_code, late.json()["code"]) == (409, "CART_NOT_ACTIVE")
