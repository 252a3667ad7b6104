"""How many DynamoDB round trips each operation waits for (calls in parallel count once).

A regression test, not a timing: these numbers are the latency floor of each request in
production, so they must not grow unnoticed. The counts expected are the ones
docs/operations.md states in its round-trip table, so the docs cannot drift from them.
`make bench` reports the same counts.
"""

import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import app as app_module
from bench.calls import CallRecorder
from chalicelib import parallel, wiring
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from tests.integration.clients import Api
from tools.stage import stage_settings

LOCAL = stage_settings("local")  # the stage the integration tests run as
OPERATIONS_MD = Path(__file__).parents[2] / "docs" / "operations.md"


def stated_round_trips() -> dict[str, int]:
    """The round-trip table of docs/operations.md: each operation a row names, with the
    number its second column starts with."""
    table = OPERATIONS_MD.read_text().partition("| operation | sequential DynamoDB round trips |")[
        2
    ]
    stated = {}
    for names, count in re.findall(r"^\| ([^|]+?) \| (\d+):", table.split("\n\n")[0], re.M):
        stated.update(dict.fromkeys(names.split(", "), int(count)))
    return stated


STATED = stated_round_trips()


def test_the_docs_state_a_count_for_every_operation_measured_here() -> None:
    assert set(STATED) == {
        "create_cart",
        "get_cart",
        "get_cart (nothing cached)",
        "get_cart (checked out)",
        "add_item",
        "add_item (a held lot)",
        "update_cart_item",
        "remove_item",
        "add_item (keyed)",
        "update_cart_item (keyed)",
        "remove_item (keyed)",
        "delete_cart",
        "apply_discount_code (refused)",
        "apply_discount_code (accepted)",
        "checkout",
    }


@pytest.fixture
def counter(api: Api, dynamodb: Any) -> Iterator[CallRecorder]:
    # Each call held 50 ms: calls made at once overlap however late a loaded machine starts
    # one of their threads (at 5 ms, a busy `make test` could see two parallel reads as two
    # round trips).
    counter = CallRecorder(simulated_latency=0.05)
    counter.attach(dynamodb)
    yield counter


def cart_with_lines(api: Api, count: int) -> str:
    cart = api.new_cart()
    for product in ("ESP-1KG", "FILTER-100", "MUG-CER")[:count]:
        api.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": 1})
    return cart


def round_trips(counter: CallRecorder, api: Api, method: str, path: str, body: Any = None) -> int:
    with counter.recording():
        response = api.call(method, path, body)
    assert response.status_code < 300, response.body
    return counter.round_trips


def test_a_read_handed_to_the_pool_is_counted_from_when_it_was_handed_over(
    counter: CallRecorder, dynamodb: Any
) -> None:
    """However late a loaded machine runs a pool thread, the reads a request makes at once
    count as one round trip; the calls a task makes one after the other still count apart."""

    def read() -> Any:
        return dynamodb.get_item(TableName=LOCAL.carts_table, Key={"cartId": {"S": "none"}})

    def read_late() -> Any:
        time.sleep(0.2)  # the thread ran after the read beside it had ended
        return read()

    with counter.recording():
        parallel.in_parallel([read, read_late])
    assert counter.round_trips == 1
    with counter.recording():
        parallel.in_background(lambda: (read(), read())).result()
    assert counter.round_trips == 2


def test_a_waves_first_call_is_the_one_the_requests_own_thread_made(
    counter: CallRecorder, dynamodb: Any
) -> None:
    """The bench replays a wave's first call on its own thread and the others on a pool, as
    the service made them; the call handed to the pool is dated earlier, yet comes second."""

    def own() -> Any:
        return dynamodb.get_item(TableName=LOCAL.carts_table, Key={"cartId": {"S": "none"}})

    def pooled() -> Any:
        return dynamodb.query(
            TableName=LOCAL.cart_items_table,
            KeyConditionExpression="cartId = :cartId",
            ExpressionAttributeValues={":cartId": {"S": "none"}},
        )

    with counter.recording():
        parallel.in_parallel([own, pooled])
    assert [[name for name, _ in wave] for wave in counter.waves] == [["GetItem", "Query"]]
    assert counter.operations == ["Query", "GetItem"]  # by when each started


def test_create_cart_is_one_round_trip(counter: CallRecorder, api: Api) -> None:
    assert round_trips(counter, api, "POST", "/carts", {"customerId": "c"}) == STATED["create_cart"]


@pytest.mark.parametrize("address", [None, {"country": "DE", "postalCode": "10115"}])
def test_get_cart_is_one_round_trip_with_prices_promotions_and_rates_cached_two_without(
    counter: CallRecorder, api: Api, dynamodb: Any, address: dict[str, str] | None
) -> None:
    cart = cart_with_lines(api, 3)
    entered = api.call("POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"})
    assert entered.status_code == 200, entered.json
    if address is not None:
        assert api.call("PATCH", f"/carts/{cart}", {"deliveryAddress": address}).status_code == 200
    assert round_trips(counter, api, "GET", f"/carts/{cart}") == STATED["get_cart"]
    assert counter.operations.count("Scan") == 0  # the promotions come from the cache
    app_module.services.use(wiring.build(LOCAL, dynamodb))  # a new container: nothing cached
    # The prices, the promotions and both rate tables, read at once.
    assert round_trips(counter, api, "GET", f"/carts/{cart}") == STATED["get_cart (nothing cached)"]
    # The prices with their stock, and the rates: two BatchGetItem, with the Scan, at once.
    assert (counter.operations.count("BatchGetItem"), counter.operations.count("Scan")) == (2, 1)
    view = api.call("GET", f"/carts/{cart}").json
    assert view["discounts"][0]["code"] == "WELCOME10"
    assert (view["taxAmount"] is None) == (address is None)


@pytest.mark.parametrize(
    ("operation", "method", "path", "body"),
    [
        ("add_item", "POST", "/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1}),
        ("add_item", "POST", "/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2}),
        ("update_cart_item", "PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 5}),
        ("update_cart_item", "PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 0}),
        ("remove_item", "DELETE", "/carts/{cart}/items/FILTER-100", None),
    ],
)
def test_a_change_is_the_write_then_one_read(
    counter: CallRecorder, api: Api, operation: str, method: str, path: str, body: Any
) -> None:
    cart = cart_with_lines(api, 3)
    api.call("GET", f"/carts/{cart}")  # the container has the prices cached
    trips = round_trips(counter, api, method, path.format(cart=cart), body)
    assert trips == STATED[operation], [[name for name, _ in wave] for wave in counter.waves]


@pytest.mark.parametrize(
    ("operation", "method", "path", "body"),
    [
        ("add_item", "POST", "/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1}),
        ("update_cart_item", "PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 5}),
        ("remove_item", "DELETE", "/carts/{cart}/items/FILTER-100", None),
    ],
)
def test_a_keyed_change_is_the_read_then_the_write_that_holds_its_answer(
    counter: CallRecorder, api: Api, operation: str, method: str, path: str, body: Any
) -> None:
    """The cart read; the change's transaction, its receipt holding the answer already (the
    cart as decided, priced): no read back, no write of the reply after it. Its retry
    answers the same."""
    cart = cart_with_lines(api, 3)
    api.call("GET", f"/carts/{cart}")  # the container has the prices cached
    keyed = {"Idempotency-Key": f"{operation}-in-two"}
    with counter.recording():
        changed = api.call(method, path.format(cart=cart), body, keyed)
    assert changed.status_code == 200, changed.json
    assert counter.round_trips == STATED[f"{operation} (keyed)"]
    assert [sorted(name for name, _ in wave) for wave in counter.waves] == [
        ["GetItem", "Query"],
        ["TransactWriteItems"],
    ]
    again = api.call(method, path.format(cart=cart), body, keyed)
    assert (again.status_code, again.json, again.headers["ETag"]) == (
        200,
        changed.json,
        changed.headers["ETag"],
    )
    assert api.call("GET", f"/carts/{cart}").json == changed.json


def test_adding_a_held_lot_reads_its_stock_alongside_the_cart(
    counter: CallRecorder, api: Api
) -> None:
    """GEISHA-250G is held 15 minutes, its units on 4 shards: all four read at once, while
    the cart is read; then the write that holds them. Its checkout is a checkout's 3."""
    cart = cart_with_lines(api, 2)
    api.call("GET", f"/carts/{cart}")  # the container has the prices cached
    api.call("POST", f"/carts/{cart}/items", {"productId": "GEISHA-250G", "quantity": 1})
    body = {"productId": "GEISHA-250G", "quantity": 1}
    path = f"/carts/{cart}/items"
    assert round_trips(counter, api, "POST", path, body) == STATED["add_item (a held lot)"]
    read, written = counter.waves
    assert sorted(name for name, _ in read) == ["BatchGetItem", "GetItem", "Query"]
    assert [name for name, _ in written] == ["TransactWriteItems"]
    assert api.call("GET", f"/carts/{cart}").json["items"][-1]["heldUntil"] is not None
    # Its checkout converts the hold: the lot's four shards read with its price, at once.
    assert round_trips(counter, api, "POST", f"/carts/{cart}/checkout", {}) == STATED["checkout"]


def test_deleting_a_full_cart_is_two_round_trips(
    counter: CallRecorder, api: Api, dynamodb: Any
) -> None:
    DynamoProductRepository(dynamodb, LOCAL.products_table, LOCAL.stock_table).put_many(
        Product(f"RT-{i}", "x", Money(Decimal("1.00"), "USD")) for i in range(100)
    )
    cart = api.new_cart()
    api.fill(cart, [f"RT-{index}" for index in range(100)])
    assert round_trips(counter, api, "DELETE", f"/carts/{cart}") == STATED["delete_cart"]
    assert counter.operations.count("BatchWriteItem") == 4


def test_a_code_counts_alongside_the_carts_read_and_is_taken_back_alongside_the_write(
    counter: CallRecorder, api: Api
) -> None:
    """Entering a code costs no round trip for its guessing counts: they are counted while
    the cart is read, and an accepted code is taken back while the change is written."""
    cart = cart_with_lines(api, 3)
    api.call("GET", f"/carts/{cart}")  # prices and promotions cached
    refused = api.call("POST", f"/carts/{cart}/discount-codes", {"code": "NOPE"})
    assert refused.status_code == 400
    with counter.recording():
        api.call("POST", f"/carts/{cart}/discount-codes", {"code": "NOPE"})
    assert counter.round_trips == STATED["apply_discount_code (refused)"]
    accepted = round_trips(
        counter, api, "POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"}
    )
    assert accepted == STATED["apply_discount_code (accepted)"]


def test_checkout_prices_the_cart_once_and_a_checked_out_cart_reads_no_prices(
    counter: CallRecorder, api: Api, dynamodb: Any
) -> None:
    """Checkout reads the cart, then the catalog's current prices and writes; its answer is
    the cart as frozen, read for nothing more. (In a container with the promotions and rates
    cached: read uncached alongside the cart, they may outlast it and blur the count.)"""
    cart = cart_with_lines(api, 3)
    assert round_trips(counter, api, "POST", f"/carts/{cart}/checkout", {}) == STATED["checkout"]
    read_cart, *written = counter.waves  # the row and its lines at once; then one each
    assert sorted(name for name, _ in read_cart) == ["GetItem", "Query"]
    assert [[name for name, _ in wave] for wave in written] == [
        ["BatchGetItem"],  # the current prices, each with its stock's shard 0
        ["TransactWriteItems"],
    ]
    app_module.services.use(wiring.build(LOCAL, dynamodb))
    assert round_trips(counter, api, "GET", f"/carts/{cart}") == STATED["get_cart (checked out)"]
    assert sorted(counter.operations) == ["GetItem", "Query"]  # the row and its lines


def test_an_agents_keyed_cancel_is_three_round_trips(counter: CallRecorder, api: Api) -> None:
    """The cart read; the keyed delete's mark, its receipt holding the answer already (the
    cart before it went); the lines and the row removed. Its retry answers the same."""
    agent = {"UCP-Agent": 'profile="https://agent.example/.well-known/ucp"'}
    lines = [{"item": {"id": "ESP-1KG"}, "quantity": 2}, {"item": {"id": "MUG-CER"}, "quantity": 1}]
    cart_id = api.call("POST", "/ucp/carts", {"line_items": lines}, agent).json["id"]
    keyed = {**agent, "Idempotency-Key": "cancel-in-three"}
    with counter.recording():
        canceled = api.call("POST", f"/ucp/carts/{cart_id}/cancel", {}, keyed)
    assert canceled.status_code == 200
    assert counter.round_trips == 3
    assert "UpdateItem" not in counter.operations  # no reply written after the change
    again = api.call("POST", f"/ucp/carts/{cart_id}/cancel", {}, keyed)
    assert (again.status_code, again.json) == (200, canceled.json)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/carts", {"customerId": "c"}),
        (
            "PATCH",
            "/carts/{cart}/items",
            {"operations": [{"op": "add", "productId": "SCALE-01", "quantity": 1}]},
        ),
        ("PATCH", "/carts/{cart}", {"note": "by the door"}),
        ("POST", "/carts/{cart}/discount-codes", {"code": "WELCOME10"}),
        ("POST", "/carts/{cart}/checkout", {}),
        ("DELETE", "/carts/{cart}", None),
    ],
)
def test_a_keyed_change_that_knows_its_cart_writes_no_answer_after_it(
    counter: CallRecorder, api: Api, method: str, path: str, body: Any
) -> None:
    """Its receipt holds its answer from the change's own transaction: no write to the
    receipts' table follows, and the retry answers the same."""
    cart = cart_with_lines(api, 3)
    api.call("GET", f"/carts/{cart}")  # the container has the prices cached
    keyed = {"Idempotency-Key": f"{method}-{path}-answered"}
    with counter.recording():
        first = api.call(method, path.format(cart=cart), body, keyed)
    assert first.status_code < 300, first.json
    receipts = LOCAL.idempotency_table
    assert [name for name, params in counter.calls if params.get("TableName") == receipts] == []
    again = api.call(method, path.format(cart=cart), body, keyed)
    assert (again.status_code, again.json) == (first.status_code, first.json)
