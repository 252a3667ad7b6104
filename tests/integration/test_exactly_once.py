"""Exactly once, answered truthfully, in process on moto: a change committed is never
reported as failed, a retry with its Idempotency-Key never applies it again, merge and
checkout never decide on a torn read, an interrupted merge finishes without its client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from chalicelib import wiring
from chalicelib.domain.change import Change
from chalicelib.domain.clock import format_timestamp, utc_now
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.settings import Settings
from tests.faults import FaultInjector, throttled
from tests.integration.clients import Api, Functions


def quantities(view: dict[str, Any]) -> dict[str, int]:
    return {item["productId"]: item["quantity"] for item in view["items"]}


def cart_with(api: Api, **lines: int) -> str:
    cart = api.new_cart()
    for product_id, quantity in lines.items():
        added = api.call(
            "POST", f"/carts/{cart}/items", {"productId": product_id, "quantity": quantity}
        )
        assert added.status_code == 200
    return cart


def test_an_add_committed_but_not_read_back_answers_202_and_its_retry_the_view_once(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    """A keyed add decided on a read whose cart moves before its write is written blind,
    then read back: when that read fails, the add committed all the same (202)."""
    cart = cart_with(api)
    key = {"Idempotency-Key": "add-then-throttled"}
    body = {"productId": "ESP-1KG", "quantity": 1}
    injector = FaultInjector(dynamodb)
    injector.fail("GetItem", throttled, after=1)  # the cart read; then every read back
    with commits_before_write(dynamodb, another_writer(settings)(cart, "MUG-CER")):
        first = api.call("POST", f"/carts/{cart}/items", body, key)
    assert (first.status_code, first.json) == (202, {"cartId": cart, "applied": True})
    assert first.headers["Location"] == f"/carts/{cart}"
    injector.fail("GetItem", throttled, times=0)
    again = api.call("POST", f"/carts/{cart}/items", body, key)
    assert again.status_code == 200
    assert quantities(again.json) == {"MUG-CER": 1, "ESP-1KG": 1}
    assert again.headers["ETag"] == '"3"'
    assert api.call("POST", f"/carts/{cart}/items", body, key).json == again.json


@pytest.mark.parametrize("function", ["add_item", "update_cart_item", "remove_item"])
def test_a_keyed_change_whose_cart_moved_before_its_write_is_made_blind_and_answers_once(
    functions: Functions, dynamodb: Any, settings: Settings, function: str
) -> None:
    """Decided on a read, its write finds the cart moved on: the change is made blind after
    all (as without a key) and read back, and its answer kept after it. Its retry answers
    the same and applies nothing again."""
    cart = functions.invoke("create_cart", {"customerId": "customer-42"})["cartId"]
    functions.invoke("add_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 2})
    payload = {
        "add_item": {"cartId": cart, "productId": "ESP-1KG", "quantity": 1},
        "update_cart_item": {"cartId": cart, "productId": "ESP-1KG", "quantity": 5},
        "remove_item": {"cartId": cart, "productId": "ESP-1KG"},
    }[function]
    keyed = {**payload, "idempotencyKey": f"moved-{function}"}
    with commits_before_write(dynamodb, another_writer(settings)(cart, "MUG-CER")):
        first = functions.invoke(function, keyed)
    expected = {"add_item": 3, "update_cart_item": 5, "remove_item": None}[function]
    assert quantities(first) == {"MUG-CER": 1, **({"ESP-1KG": expected} if expected else {})}
    assert first == functions.invoke("get_cart", {"cartId": cart})
    assert functions.invoke(function, keyed) == first
    assert functions.invoke("get_cart", {"cartId": cart}) == first


@contextmanager
def commits_before_write(client: Any, commit: Callable[[], object]) -> Iterator[None]:
    """Commit `commit` just before the next transaction is sent: the cart it was decided on
    has moved."""
    pending = [commit]

    def before_transaction(**_: Any) -> None:
        if pending:
            pending.pop()()

    client.meta.events.register_first("before-send.dynamodb.TransactWriteItems", before_transaction)
    try:
        yield
    finally:
        client.meta.events.unregister("before-send.dynamodb.TransactWriteItems", before_transaction)


@contextmanager
def commits_between_reads(
    client: Any, cart_id: str, commits: list[Callable[[], object]]
) -> Iterator[None]:
    """Commit the next of `commits` after each read of `cart_id`'s lines has answered and
    before its row is read: the cart row and lines a reader sees then disagree."""
    lines_read = threading.Event()

    def after_query(parsed: dict[str, Any], **_: Any) -> None:
        if any(item["cartId"]["S"] == cart_id for item in parsed.get("Items", [])):
            lines_read.set()

    def before_get(request: Any, **_: Any) -> None:
        if commits and cart_id in request.body.decode() and lines_read.wait(timeout=5):
            lines_read.clear()
            commits.pop(0)()

    client.meta.events.register("after-call.dynamodb.Query", after_query)
    client.meta.events.register_first("before-send.dynamodb.GetItem", before_get)
    try:
        yield
    finally:
        client.meta.events.unregister("after-call.dynamodb.Query", after_query)
        client.meta.events.unregister("before-send.dynamodb.GetItem", before_get)


def another_writer(settings: Settings) -> Callable[[str, str], Callable[[], object]]:
    """Adds through a client of its own: a request the reader does not see coming."""
    client = boto3.client("dynamodb")
    carts = wiring.cart_repository(settings, client)
    products = DynamoProductRepository(client, settings.products_table, settings.stock_table)

    def add(cart_id: str, product_id: str) -> Callable[[], object]:
        def commit() -> object:
            now = utc_now()
            change = Change(now, (now + timedelta(days=30)).replace(microsecond=0))
            return carts.add_line(cart_id, products.get_many([product_id])[product_id], 1, change)

        return commit

    return add


def test_a_merge_never_loses_an_add_that_landed_between_its_reads(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    target, source = cart_with(api, **{"ESP-1KG": 1}), cart_with(api, **{"MUG-CER": 1})
    add = another_writer(settings)
    with commits_between_reads(dynamodb, source, [add(source, "MUG-CER") for _ in range(3)]):
        merged = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source})
    assert merged.status_code == 200
    assert quantities(merged.json) == {"ESP-1KG": 1, "MUG-CER": 4}  # every acknowledged add
    assert api.call("GET", f"/carts/{source}").status_code == 404


def test_a_checkout_never_freezes_a_line_it_did_not_price(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    cart = cart_with(api, **{"ESP-1KG": 1})
    add = another_writer(settings)
    arriving = [add(cart, product) for product in ("MUG-CER", "FILTER-100", "KETTLE-GOOSE")]
    with commits_between_reads(dynamodb, cart, arriving):
        checked_out = api.call("POST", f"/carts/{cart}/checkout")
    assert checked_out.status_code == 200
    view = checked_out.json
    assert len(view["items"]) == 4
    assert all(item["unitPrice"] is not None for item in view["items"])
    assert view["totalAmount"] == "91.69"  # 19.99 + 12.00 + 4.75 + 54.95
    assert api.call("GET", f"/carts/{cart}").json == view


def test_a_merge_that_cannot_read_a_consistent_source_changes_nothing(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    target, source = cart_with(api, **{"ESP-1KG": 1}), cart_with(api, **{"MUG-CER": 1})
    add = another_writer(settings)
    storm = [add(source, "MUG-CER") for _ in range(9)]  # every read of every attempt torn
    with commits_between_reads(dynamodb, source, storm):
        refused = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source})
    assert (refused.status_code, refused.json["code"]) == (409, "CONFLICT")
    assert quantities(api.call("GET", f"/carts/{target}").json) == {"ESP-1KG": 1}
    assert quantities(api.call("GET", f"/carts/{source}").json) == {"MUG-CER": 10}


def large_cart(api: Api, dynamodb: Any, settings: Settings, lines: int, offset: int) -> str:
    """A cart of `lines` products of a test catalog of its own (the sample has 26)."""
    products = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    ids = [f"T-{index:03}" for index in range(offset, offset + lines)]
    products.put_many(Product(pid, pid, Money(Decimal("1.00"), "USD")) for pid in ids)
    cart = api.new_cart()
    api.fill(cart, ids)
    return cart


def sweep(functions: Functions) -> None:
    """The scheduled sweeper, invoked as EventBridge's schedule would."""
    event = functions.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    functions.invoke("finish_stalled_merges", event)


def started_minutes_ago(dynamodb: Any, settings: Settings, cart_id: str, minutes: int) -> None:
    """Time passes for a merge in progress: it started `minutes` ago."""
    dynamodb.update_item(
        TableName=settings.carts_table,
        Key={"cartId": {"S": cart_id}},
        UpdateExpression="SET mergeStartedAt = :then",
        ExpressionAttributeValues={
            ":then": {"S": format_timestamp(utc_now() - timedelta(minutes=minutes))}
        },
    )


def test_an_interrupted_merge_shows_merging_and_the_sweeper_finishes_it(
    api: Api, functions: Functions, dynamodb: Any, settings: Settings
) -> None:
    target = large_cart(api, dynamodb, settings, 2, 0)
    source = large_cart(api, dynamodb, settings, 60, 2)
    key = {"Idempotency-Key": "merge-interrupted"}
    expires_soon = utc_now() + timedelta(minutes=10)  # the source is about to expire
    dynamodb.update_item(
        TableName=settings.carts_table,
        Key={"cartId": {"S": source}},
        UpdateExpression="SET expiresAt = :soon",
        ExpressionAttributeValues={":soon": {"N": str(int(expires_soon.timestamp()))}},
    )
    injector = FaultInjector(dynamodb)
    injector.fail("TransactWriteItems", throttled, after=2)  # the lock, the first 49 lines
    stopped = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source}, key)
    assert stopped.status_code == 503
    injector.fail("TransactWriteItems", throttled, times=0)

    locked_source = api.call("GET", f"/carts/{source}").json
    kept_until = format_timestamp(utc_now() + timedelta(days=1))
    assert locked_source["expiresAt"] > kept_until  # kept alive while it is locked
    for cart in (target, source):
        assert api.call("GET", f"/carts/{cart}").json["status"] == "MERGING"
        add = {"productId": "ESP-1KG", "quantity": 1}
        refused = api.call("POST", f"/carts/{cart}/items", add)
        assert (refused.status_code, refused.json["code"]) == (409, "CONFLICT")
        assert refused.headers["Retry-After"] == "2"

    sweep(functions)  # under a minute old: left to its client's retry
    assert api.call("GET", f"/carts/{target}").json["status"] == "MERGING"
    started_minutes_ago(dynamodb, settings, target, 2)
    sweep(functions)  # nobody retried: the sweeper finishes it

    merged = api.call("GET", f"/carts/{target}")
    assert merged.json["status"] == "ACTIVE"
    assert merged.json["itemCount"] == 62 and len(merged.json["items"]) == 62
    assert api.call("GET", f"/carts/{source}").status_code == 404
    retried = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source}, key)
    assert (retried.status_code, retried.json) == (200, merged.json)
    changed = api.call("POST", f"/carts/{target}/items", {"productId": "ESP-1KG", "quantity": 1})
    assert changed.status_code == 200


MUTATIONS: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "create_cart": lambda cart, other: {"customerId": "customer-42"},
    "add_item": lambda cart, other: {"cartId": cart, "productId": "MUG-CER", "quantity": 1},
    "update_cart_item": lambda cart, other: {
        "cartId": cart,
        "productId": "ESP-1KG",
        "quantity": 5,
        "expectedVersion": 2,
    },
    "remove_item": lambda cart, other: {"cartId": cart, "productId": "ESP-1KG"},
    "change_items": lambda cart, other: {
        "cartId": cart,
        "operations": [
            {"op": "add", "productId": "MUG-CER", "quantity": 1},
            {"op": "set", "productId": "MUG-CER", "quantity": 3},
            {"op": "remove", "productId": "ESP-1KG"},
        ],
    },
    "update_cart": lambda cart, other: {"cartId": cart, "note": "Leave it by the door"},
    "delete_cart": lambda cart, other: {"cartId": cart},
    "merge_carts": lambda cart, other: {"cartId": cart, "sourceCartId": other},
    "checkout": lambda cart, other: {"cartId": cart},
    "apply_discount_code": lambda cart, other: {"cartId": cart, "code": "WELCOME10"},
    "remove_discount_code": lambda cart, other: {"cartId": cart, "code": "WELCOME10"},
}
ENTERED_FIRST = {"remove_discount_code"}
"""Mutations of a cart that holds the sample's WELCOME10 code."""


def stored(functions: Functions, *carts: str) -> list[Any]:
    return [functions.invoke("get_cart", {"cartId": cart}) for cart in carts]


@pytest.mark.parametrize("function", MUTATIONS)
def test_every_mutation_retried_with_its_key_answers_as_the_first_and_applies_once(
    functions: Functions, function: str
) -> None:
    cart, other = (functions.invoke("create_cart", {"customerId": "c-7"})["cartId"] for _ in "ab")
    functions.invoke("add_item", {"cartId": cart, "productId": "ESP-1KG", "quantity": 2})
    functions.invoke("add_item", {"cartId": other, "productId": "FILTER-100", "quantity": 1})
    if function in ENTERED_FIRST:
        functions.invoke("apply_discount_code", {"cartId": cart, "code": "WELCOME10"})
    payload = {**MUTATIONS[function](cart, other), "idempotencyKey": f"fn-{function}"}
    first = functions.invoke(function, payload)
    assert first is None or "code" not in first
    after = stored(functions, cart, other)
    assert functions.invoke(function, payload) == first
    assert stored(functions, cart, other) == after
    another = {"customerId": "c-8"} if function == "create_cart" else {"expectedVersion": 9}
    reused = functions.invoke(function, {**payload, **another})  # the key, another request
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert stored(functions, cart, other) == after


def test_a_retried_create_answers_as_the_first_though_the_cart_changed_since(
    functions: Functions, dynamodb: Any
) -> None:
    """A keyed create's answer is known before its write: its receipt holds it from the
    start (no write of the answer after it), so its retry answers the cart as created."""
    create = {"customerId": "customer-42", "idempotencyKey": "fn-create-kept"}
    injector = FaultInjector(dynamodb)
    first = functions.invoke("create_cart", create)
    assert (injector.calls["TransactWriteItems"], injector.calls["UpdateItem"]) == (1, 0)
    functions.invoke("add_item", {"cartId": first["cartId"], "productId": "ESP-1KG", "quantity": 1})
    assert functions.invoke("create_cart", create) == first
    carts = functions.invoke("list_customer_carts", {"customerId": "customer-42"})["carts"]
    assert [c["cartId"] for c in carts] == [first["cartId"]]


def test_a_change_whose_function_died_after_the_commit_is_applied_once_by_its_retry(
    api: Api, dynamodb: Any
) -> None:
    cart = cart_with(api)
    key = {"Idempotency-Key": "add-then-died"}
    body = {"productId": "ESP-1KG", "quantity": 1}

    def die(**_: Any) -> None:
        raise SystemError("the function died")  # after the commit, before any answer

    dynamodb.meta.events.register_first("before-send.dynamodb.GetItem", die)
    try:
        died = api.call("POST", f"/carts/{cart}/items", body, key)
    finally:
        dynamodb.meta.events.unregister("before-send.dynamodb.GetItem", die)
    assert died.status_code == 500
    again = api.call("POST", f"/carts/{cart}/items", body, key)
    assert again.status_code == 200
    assert quantities(again.json) == {"ESP-1KG": 1}
    assert quantities(api.call("GET", f"/carts/{cart}").json) == {"ESP-1KG": 1}


def test_a_merge_in_steps_under_a_used_key_locks_nothing(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    target = large_cart(api, dynamodb, settings, 2, 100)
    source = large_cart(api, dynamodb, settings, 60, 102)
    key = {"Idempotency-Key": "used-for-an-add"}
    api.call("POST", f"/carts/{target}/items", {"productId": "ESP-1KG", "quantity": 1}, key)
    before = [api.call("GET", f"/carts/{cart}").json for cart in (target, source)]
    refused = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source}, key)
    assert (refused.status_code, refused.json["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert [api.call("GET", f"/carts/{cart}").json for cart in (target, source)] == before
    assert all(view["status"] == "ACTIVE" for view in before)
