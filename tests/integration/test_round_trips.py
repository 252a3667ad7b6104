"""How many DynamoDB round trips each operation waits for (calls in parallel count once).

A regression test, not a timing: these numbers are the latency floor of each request in
production, so they must not grow unnoticed. `make bench` reports the same counts.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import app as app_module
from bench.calls import CallRecorder
from chalicelib import wiring
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from tests.integration.clients import Api
from tools.stage import stage_settings

LOCAL = stage_settings("local")  # the stage the integration tests run as


@pytest.fixture
def counter(api: Api, dynamodb: Any) -> Iterator[CallRecorder]:
    counter = CallRecorder(simulated_latency=0.005)
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


def test_create_cart_is_one_round_trip(counter: CallRecorder, api: Api) -> None:
    assert round_trips(counter, api, "POST", "/carts", {"customerId": "c"}) == 1


@pytest.mark.parametrize("address", [None, {"country": "DE", "postalCode": "10115"}])
def test_get_cart_is_one_round_trip_with_prices_promotions_and_rates_cached_two_without(
    counter: CallRecorder, api: Api, dynamodb: Any, address: dict[str, str] | None
) -> None:
    cart = cart_with_lines(api, 3)
    entered = api.call("POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"})
    assert entered.status_code == 200, entered.json
    if address is not None:
        assert api.call("PATCH", f"/carts/{cart}", {"deliveryAddress": address}).status_code == 200
    assert round_trips(counter, api, "GET", f"/carts/{cart}") == 1
    assert counter.operations.count("Scan") == 0  # the promotions come from the cache
    app_module.services.use(wiring.build(LOCAL, dynamodb))  # a new container: nothing cached
    # The prices, the promotions and both rate tables, read at once.
    assert round_trips(counter, api, "GET", f"/carts/{cart}") == 2
    assert (counter.operations.count("BatchGetItem"), counter.operations.count("Scan")) == (2, 1)
    view = api.call("GET", f"/carts/{cart}").json
    assert view["discounts"][0]["code"] == "WELCOME10"
    assert (view["taxAmount"] is None) == (address is None)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1}),
        ("POST", "/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2}),
        ("PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 5}),
        ("PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 0}),
        ("DELETE", "/carts/{cart}/items/FILTER-100", None),
    ],
)
def test_a_change_is_the_write_then_one_read(
    counter: CallRecorder, api: Api, method: str, path: str, body: Any
) -> None:
    cart = cart_with_lines(api, 3)
    api.call("GET", f"/carts/{cart}")  # the container has the prices cached
    assert round_trips(counter, api, method, path.format(cart=cart), body) == 2


def test_deleting_a_full_cart_is_two_round_trips(
    counter: CallRecorder, api: Api, dynamodb: Any
) -> None:
    DynamoProductRepository(dynamodb, LOCAL.products_table).put_many(
        Product(f"RT-{i}", "x", Money(Decimal("1.00"), "USD")) for i in range(100)
    )
    cart = api.new_cart()
    for index in range(100):
        api.call("POST", f"/carts/{cart}/items", {"productId": f"RT-{index}", "quantity": 1})
    assert round_trips(counter, api, "DELETE", f"/carts/{cart}") == 2
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
    assert counter.round_trips == 1
    assert (
        round_trips(counter, api, "POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"})
        == 2
    )
