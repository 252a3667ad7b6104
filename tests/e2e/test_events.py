"""Cart events end to end: a shopper session over HTTP against `chalice local`, the Carts
stream of the moto server read by the service's consumer (app.publish_cart_events, called
as Lambda calls it), the bus routed to an SQS queue by an EventBridge rule, as a subscriber
would route it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jsonschema
import pytest
import requests

from chalicelib.dynamodb.tables import TABLES
from tests.e2e.conftest import Stack, new_storage, serve
from tools.deploy.event_schemas import schema
from tools.local.event_stream import EventRelay

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, EventRelay]]:
    """The API and the consumer on a DynamoDB of their own: only this module's carts."""
    tables = {table.variable: f"Events{table.name}" for table in TABLES.values()}
    with new_storage(tables) as storage:
        for stack in serve(storage, tmp_path_factory, {"API_AUTH": "none"}):
            yield stack, EventRelay(storage.dynamodb.meta.endpoint_url, stack.settings)


def call(stack: Stack, method: str, path: str, body: Any = None, **headers: str) -> Any:
    response = requests.request(
        method, f"{stack.base_url}{path}", json=body, headers={**JSON, **headers}, timeout=30
    )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def test_a_shopper_session_is_published_in_order_once_and_the_same_after_redelivery(
    shop: tuple[Stack, EventRelay],
) -> None:
    stack, relay = shop
    guest = call(stack, "POST", "/carts", {"customerId": "dana"})["cartId"]  # on a phone
    call(stack, "POST", f"/carts/{guest}/items", {"productId": "ESP-1KG", "quantity": 2})
    dana = call(stack, "POST", "/carts", {"customerId": "dana"})["cartId"]
    key = {"Idempotency-Key": "add-mug-once"}
    for _ in range(2):  # a retried add: applied, and published, once
        call(stack, "POST", f"/carts/{dana}/items", {"productId": "MUG-CER", "quantity": 1}, **key)
    call(stack, "PUT", f"/carts/{guest}/items/ESP-1KG", {"quantity": 3})
    call(stack, "POST", f"/carts/{dana}/merge", {"sourceCartId": guest})  # at sign-in
    call(stack, "DELETE", f"/carts/{dana}/items/MUG-CER")
    call(stack, "POST", f"/carts/{dana}/checkout")
    dropped = call(stack, "POST", "/carts", {"customerId": "dana"})["cartId"]
    call(stack, "DELETE", f"/carts/{dropped}")

    published = relay.relay()
    for event in published:
        jsonschema.validate(event, schema(event["detail-type"]))
    expected = [
        ("CartCreated", guest, 1),
        ("ItemAdded", guest, 2),
        ("CartCreated", dana, 1),
        ("ItemAdded", dana, 2),
        ("ItemQuantityChanged", guest, 3),
        ("CartMerged", dana, 3),
        ("ItemRemoved", dana, 4),
        ("CartCheckedOut", dana, 5),
        ("CartCreated", dropped, 1),
        ("CartDeleted", dropped, 2),
    ]
    seen = [(e["detail-type"], e["detail"]["cartId"], e["detail"]["version"]) for e in published]
    assert seen == expected
    ids = [e["detail"]["eventId"] for e in published]
    assert len(set(ids)) == len(ids)
    merged = published[5]["detail"]
    assert merged["change"] == {"sourceCartId": guest}
    assert merged["cart"] == {"itemCount": 4, "lineCount": 2, "currency": "USD"}
    assert relay.relay() == []  # nothing more, nothing twice

    relay.pump.redeliver()  # Lambda delivers the whole stream again (a consumer timeout)
    again = relay.relay()
    assert [e["detail"] for e in again] == [e["detail"] for e in published]
    assert {e["id"] for e in again}.isdisjoint({e["id"] for e in published})  # new puts,
    # the same eventIds: a subscriber that dedupes on eventId sees each change once


def test_events_keep_flowing_after_bursts_of_parallel_changes(
    shop: tuple[Stack, EventRelay],
) -> None:
    """Changes sent at once to one cart, most of them refused by the write's condition (a
    line past 999): their cancelled transactions must not stop the stream (moto put back a
    copy of the table's stream that no reader saw: make run's events stopped)."""
    stack, relay = shop
    relay.relay()  # the readers are placed on the stream, as make run's are

    def burst(cart: str) -> list[int]:
        url = f"{stack.base_url}/carts/{cart}/items"
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(
                pool.map(
                    lambda _: (
                        requests.post(
                            url, json={"productId": "ESP-1KG", "quantity": 300}, timeout=30
                        ).status_code
                    ),
                    range(8),
                )
            )

    for _ in range(3):
        carts = [call(stack, "POST", "/carts", {"customerId": "flash"})["cartId"] for _ in range(3)]
        with ThreadPoolExecutor(max_workers=3) as pool:
            statuses = [status for answers in pool.map(burst, carts) for status in answers]
        assert (statuses.count(200), statuses.count(400)) == (9, 15), statuses  # 3 x 300 a cart
    relay.relay()
    latest = call(stack, "POST", "/carts", {"customerId": "after-the-burst"})["cartId"]
    deadline, seen = time.monotonic() + 5, []
    while time.monotonic() < deadline and latest not in seen:
        seen += [event["detail"]["cartId"] for event in relay.relay()]
    assert latest in seen
