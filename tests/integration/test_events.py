"""Cart events: the API's changes, read from the Carts stream by the consumer as Lambda calls
it, published on the stage's bus and received by a subscriber's queue; all in moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import jsonschema
import pytest
from botocore.awsrequest import AWSResponse
from chalice.test import Client

import app as app_module
from chalicelib import wiring
from chalicelib.domain.clock import utc_now
from chalicelib.domain.events import EVENT_KINDS
from chalicelib.settings import Settings
from tests import emf
from tests.faults import entries_refused
from tests.iam_recorder import IamRecorder
from tests.integration.clients import Api
from tests.integration.test_exactly_once import large_cart
from tools.deploy.event_schemas import render, schema
from tools.deploy.policies import ABANDONED_CART_SWEEP, STREAM_CONSUMER
from tools.deploy.republish_failed_events import republish
from tools.deploy.stream_source import MAXIMUM_RETRY_ATTEMPTS
from tools.local.event_stream import EventTap, FailedEventsQueue, StreamPump, lambda_record
from tools.local.tables import create_event_bus


class Shop:
    """The consumer and the sweep of one test, and a subscriber's queue."""

    def __init__(
        self, client: Client, recorder: IamRecorder, pump_from: Any, tap: EventTap, sqs: Any
    ) -> None:
        self.client, self.recorder, self.tap = client, recorder, tap
        self.failed = FailedEventsQueue(sqs, "failed-cart-events")
        self.pump = StreamPump(
            pump_from["streams"], pump_from["arn"], self.consume, on_failure=self.failed.put
        )
        self.now = utc_now
        self.delivered: list[dict[str, Any]] = []

    def consume(self, event: dict[str, Any]) -> dict[str, Any]:
        with self.recorder.calling_as(STREAM_CONSUMER):
            answer: dict[str, Any] = self.client.lambda_.invoke(STREAM_CONSUMER, event).payload
        return answer

    def sweep(self, hours_later: float) -> None:
        """The abandoned-cart sweep, run `hours_later` from now."""
        later = utc_now() + timedelta(hours=hours_later)
        self.now = lambda: later
        event = self.client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        with self.recorder.calling_as(ABANDONED_CART_SWEEP):
            self.client.lambda_.invoke(ABANDONED_CART_SWEEP, event)

    def events(self) -> list[dict[str, Any]]:
        """What the subscriber received since the last look (after the stream is read)."""
        self.pump.pump()
        received = self.tap.drain()
        for event in received:  # every published event is as its schema says
            jsonschema.validate(event, schema(event["detail-type"]))
        self.delivered += received
        return received


def line(quantity: int, previous: int, product: str = "ESP-1KG") -> dict[str, Any]:
    return {"productId": product, "quantity": quantity, "previousQuantity": previous}


def changes(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["detail-type"], e["detail"]["version"], e["detail"]["change"]) for e in events]


@pytest.fixture
def shop(
    dynamodb: Any,
    settings: Settings,
    chalice_client: Client,
    iam_recorder: IamRecorder,
    boto_session: boto3.session.Session,
) -> Iterator[Shop]:
    eventbridge = boto_session.client("events")
    iam_recorder.attach(eventbridge)
    create_event_bus(eventbridge, settings.event_bus_name)
    sqs = boto_session.client("sqs")
    tap = EventTap(eventbridge, sqs, settings.event_bus_name)
    table = dynamodb.describe_table(TableName=settings.carts_table)["Table"]
    stream = {"streams": boto_session.client("dynamodbstreams"), "arn": table["LatestStreamArn"]}
    shop = Shop(chalice_client, iam_recorder, stream, tap, sqs)
    app_module.cart_events.use(
        wiring.build_events(settings, dynamodb, eventbridge, lambda: shop.now())
    )
    yield shop
    app_module.cart_events.use(None)


def test_a_shopping_session_publishes_one_event_per_change_in_order(api: Api, shop: Shop) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 5})
    api.call("POST", f"/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1})
    api.call("DELETE", f"/carts/{cart}/items/MUG-CER")
    api.call("POST", f"/carts/{cart}/items", {"productId": "GRINDER-HAND", "quantity": 1})
    assert api.call("POST", f"/carts/{cart}/checkout").status_code == 200

    events = shop.events()
    assert changes(events) == [
        ("CartCreated", 1, {}),
        ("ItemAdded", 2, line(2, 0)),
        ("ItemAdded", 3, line(3, 2)),
        ("ItemQuantityChanged", 4, line(5, 3)),
        ("ItemAdded", 5, line(1, 0, "MUG-CER")),
        ("ItemRemoved", 6, line(0, 1, "MUG-CER")),
        ("ItemAdded", 7, line(1, 0, "GRINDER-HAND")),
        # The units taken from the shop's stock: the grinder's (the beans' are not counted).
        ("CartCheckedOut", 8, {"stockTaken": {"GRINDER-HAND": 1}}),
    ]
    checked_out = events[-1]
    assert checked_out["source"] == "cart-service"
    assert checked_out["detail"]["eventId"] == f"{cart}:8:CartCheckedOut"
    assert checked_out["detail"]["customerId"] == "customer-42"
    assert checked_out["detail"]["cart"] == {"itemCount": 6, "lineCount": 2, "currency": "USD"}
    assert shop.events() == []  # nothing twice


def test_a_batch_is_one_items_changed_event_listing_its_lines(api: Api, shop: Shop) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 2})
    operations = [
        {"op": "add", "productId": "ESP-1KG", "quantity": 2},
        {"op": "remove", "productId": "MUG-CER"},
        {"op": "add", "productId": "ESP-1KG", "quantity": 1},
    ]
    api.call("PATCH", f"/carts/{cart}/items", {"operations": operations})
    *_, batched = changes(shop.events())
    assert batched == (
        "ItemsChanged",
        3,
        {"lines": [line(3, 0), line(0, 2, "MUG-CER")]},
    )


def test_a_note_is_one_cart_updated_event(api: Api, shop: Shop) -> None:
    cart = api.new_cart()
    api.call("PATCH", f"/carts/{cart}", {"note": "Leave it by the door"})
    assert changes(shop.events()) == [("CartCreated", 1, {}), ("CartUpdated", 2, {})]


def test_an_address_and_a_delivery_option_are_one_cart_updated_event_each(
    api: Api, shop: Shop
) -> None:
    cart = api.new_cart()
    address = {"deliveryAddress": {"country": "US", "region": "CA"}}
    assert api.call("PATCH", f"/carts/{cart}", address).status_code == 200
    assert api.call("PATCH", f"/carts/{cart}", {"deliveryOptionId": "express"}).status_code == 200
    refused = api.call("PATCH", f"/carts/{cart}", {"deliveryOptionId": "pickup"})
    assert refused.status_code == 400
    assert changes(shop.events()) == [
        ("CartCreated", 1, {}),
        ("CartUpdated", 2, {}),
        ("CartUpdated", 3, {}),
    ]


def test_entering_and_removing_a_discount_code_are_cart_updated_events(
    api: Api, shop: Shop
) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    api.call("POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"})
    api.call("DELETE", f"/carts/{cart}/discount-codes/WELCOME10")
    assert changes(shop.events())[-2:] == [("CartUpdated", 3, {}), ("CartUpdated", 4, {})]


def test_a_redelivered_batch_publishes_the_same_events_again_under_the_same_ids(
    api: Api, shop: Shop
) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    first = shop.events()
    shop.pump.redeliver()  # as Lambda does after a timeout
    again = shop.events()
    assert [e["detail"] for e in again] == [e["detail"] for e in first]
    assert len({e["detail"]["eventId"] for e in first + again}) == 2


def test_a_batch_the_bus_partly_refused_is_reported_from_the_first_refused_record(
    api: Api, shop: Shop, settings: Settings
) -> None:
    cart = api.new_cart()
    for quantity in (1, 2, 3):
        api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": quantity})
    eventbridge = app_module.cart_events.get()._bus._client  # type: ignore[attr-defined]

    def refuse_the_third(parsed: dict[str, Any], **_: Any) -> None:
        parsed["FailedEntryCount"] = 1
        parsed["Entries"][2] = {"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}

    eventbridge.meta.events.register_first("after-call.events.PutEvents", refuse_the_third)
    shop.pump.pump()  # delivers the batch, which reports its third record failed
    eventbridge.meta.events.unregister("after-call.events.PutEvents", refuse_the_third)
    # The third record and all after it came again: the subscriber dedupes on eventId.
    received = shop.events()
    ids = [e["detail"]["eventId"] for e in received]
    assert ids == [
        f"{cart}:1:CartCreated",
        f"{cart}:2:ItemAdded",
        f"{cart}:3:ItemAdded",  # refused, yet put: EventBridge answered it lost
        f"{cart}:4:ItemAdded",
        f"{cart}:3:ItemAdded",
        f"{cart}:4:ItemAdded",
    ]


def test_a_merge_is_one_event_on_the_target_and_none_for_the_source(api: Api, shop: Shop) -> None:
    target, source = api.new_cart(), api.new_cart()
    api.call("POST", f"/carts/{target}/items", {"productId": "ESP-1KG", "quantity": 1})
    api.call("POST", f"/carts/{source}/items", {"productId": "ESP-1KG", "quantity": 2})
    api.call("POST", f"/carts/{source}/items", {"productId": "MUG-CER", "quantity": 1})
    shop.events()
    assert api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source}).status_code == 200
    (merged,) = shop.events()
    assert merged["detail-type"] == "CartMerged"
    assert merged["detail"]["cartId"] == target
    assert merged["detail"]["change"] == {"sourceCartId": source}
    assert merged["detail"]["cart"] == {"itemCount": 4, "lineCount": 2, "currency": "USD"}


def test_a_merge_in_steps_is_one_event_too(
    api: Api, shop: Shop, dynamodb: Any, settings: Settings
) -> None:
    """Its lock, its steps (line rows only) and its source's removal publish nothing."""
    target = api.new_cart()
    source = large_cart(api, dynamodb, settings, lines=60, offset=0)
    shop.events()
    assert api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source}).status_code == 200
    (merged,) = shop.events()
    assert (merged["detail-type"], merged["detail"]["cart"]["lineCount"]) == ("CartMerged", 60)


def test_a_deleted_cart_is_one_event_and_its_removal_none(api: Api, shop: Shop) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    shop.events()
    assert api.call("DELETE", f"/carts/{cart}").status_code == 204
    (deleted,) = shop.events()
    assert (deleted["detail-type"], deleted["detail"]["version"]) == ("CartDeleted", 3)
    assert deleted["detail"]["eventId"] == f"{cart}:3:CartDeleted"
    assert deleted["detail"]["cart"]["itemCount"] == 2  # what the cart held


def test_an_active_cart_removed_by_ttl_is_expired_and_one_removed_otherwise_is_not(
    api: Api, shop: Shop, dynamodb: Any, settings: Settings
) -> None:
    """moto never runs TTL: the record DynamoDB writes when TTL removes a row is made here."""
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    shop.events()
    row = dynamodb.get_item(TableName=settings.carts_table, Key={"cartId": {"S": cart}})["Item"]
    removal = {
        "eventID": "ttl-1",
        "eventName": "REMOVE",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime.now(),
            "Keys": {"cartId": {"S": cart}},
            "OldImage": row,
            "SequenceNumber": "900000000000000000001",
            "SizeBytes": 300,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    by_ttl = {
        **removal,
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
    }
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Carts/stream/now"
    assert shop.consume({"Records": [lambda_record(removal, arn)]}) == {"batchItemFailures": []}
    assert shop.tap.drain() == []
    shop.consume({"Records": [lambda_record(by_ttl, arn)]})
    (expired,) = shop.tap.drain()
    jsonschema.validate(expired, schema("CartExpired"))
    assert expired["detail"]["eventId"] == f"{cart}:2:CartExpired"
    assert expired["detail"]["occurredAt"] == api.call("GET", f"/carts/{cart}").json["expiresAt"]


def test_an_idle_cart_is_abandoned_once_and_again_only_after_a_change(api: Api, shop: Shop) -> None:
    idle, bought = api.new_cart(), api.new_cart()
    api.new_cart()  # empty: never abandoned
    for cart in (idle, bought):
        api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    api.call("POST", f"/carts/{bought}/checkout")
    shop.events()  # the consumer watches the carts that may be abandoned
    shop.sweep(hours_later=23)
    assert shop.events() == []
    shop.sweep(hours_later=25)
    shop.sweep(hours_later=26)  # a second sweep finds nothing new
    (abandoned,) = shop.events()
    assert (abandoned["detail-type"], abandoned["detail"]["cartId"]) == ("CartAbandoned", idle)
    assert abandoned["detail"]["eventId"] == f"{idle}:2:CartAbandoned"
    published = {e["detail"]["eventId"] for e in shop.delivered}
    shop.pump.redeliver()  # every record again: the same ids, no second abandonment
    assert {e["detail"]["eventId"] for e in shop.events()} == published
    shop.sweep(hours_later=50)
    assert shop.events() == []
    api.call("POST", f"/carts/{idle}/items", {"productId": "ESP-1KG", "quantity": 1})
    assert [e["detail-type"] for e in shop.events()] == ["ItemAdded"]
    shop.sweep(hours_later=25)
    assert [e["detail"]["eventId"] for e in shop.events()] == [f"{idle}:3:CartAbandoned"]


def test_the_schemas_in_events_are_the_generated_ones() -> None:
    from tools.deploy.event_schemas import schema_path

    for kind in EVENT_KINDS:
        assert schema_path(kind).read_text() == render(kind), (
            "run python -m tools.deploy.event_schemas"
        )


def test_an_event_names_the_request_that_made_its_change(
    api: Api, shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    created = api.call("POST", "/carts", {"customerId": "customer-42"})
    cart = created.json["cartId"]
    added = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    capsys.readouterr()
    created_event, added_event = shop.events()
    assert created_event["detail"]["requestId"] == created.headers["X-Request-Id"]
    assert added_event["detail"]["requestId"] == added.headers["X-Request-Id"]
    # the consumer's own lines count what it published
    lines = emf.access_lines(capsys.readouterr().out)
    for line in lines:
        emf.check(line)
        assert line["operation"] == STREAM_CONSUMER
    published = [emf.metrics(line).get("EventsPublished", (0, ("stage",))) for line in lines]
    assert sum(count for count, _ in published) == 2
    assert {dimensions for _, dimensions in published} == {("stage",)}


def test_what_no_request_did_names_no_request(api: Api, shop: Shop) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    shop.events()
    shop.sweep(hours_later=25)
    (abandoned,) = shop.events()
    assert abandoned["detail-type"] == "CartAbandoned"
    assert "requestId" not in abandoned["detail"]


def test_an_unpublishable_record_holds_nothing_back_and_ends_in_the_failed_events_queue(
    api: Api, shop: Shop
) -> None:
    poisoned, other = api.new_cart(), api.new_cart()
    shop.events()
    api.call("POST", f"/carts/{poisoned}/items", {"productId": "ESP-1KG", "quantity": 1})
    api.call("POST", f"/carts/{other}/items", {"productId": "MUG-CER", "quantity": 1})
    eventbridge = app_module.cart_events.get()._bus._client  # type: ignore[attr-defined]

    def refuse_poison(request: Any, **_: Any) -> AWSResponse | None:
        entries = json.loads(request.body)["Entries"]
        if not any(poisoned in entry["Detail"] for entry in entries):
            return None
        request.url = "http://fault-injected.invalid/"  # never reaches the bus
        return entries_refused(len(entries))

    eventbridge.meta.events.register_first("before-send.events.PutEvents", refuse_poison)
    received: list[dict[str, Any]] = []
    for _ in range(MAXIMUM_RETRY_ATTEMPTS + 5):  # one delivery attempt per pump
        received += shop.events()
    eventbridge.meta.events.unregister("before-send.events.PutEvents", refuse_poison)
    assert [(e["detail-type"], e["detail"]["cartId"]) for e in received] == [("ItemAdded", other)]
    sqs = shop.failed.sqs
    (message,) = sqs.receive_message(QueueUrl=shop.failed.url, VisibilityTimeout=0)["Messages"]
    batch = json.loads(message["Body"])["DDBStreamBatchInfo"]
    assert batch["batchSize"] == 1
    assert json.loads(message["Body"])["requestContext"]["condition"] == "RetryAttemptsExhausted"

    # The cause fixed, the command publishes the record's event again; the queue is empty.
    result = republish(sqs, shop.pump.streams, shop.failed.url, shop.consume)
    assert (result.republished, result.kept) == (1, [])
    (republished,) = shop.tap.drain()
    assert republished["detail"]["eventId"] == f"{poisoned}:2:ItemAdded"
    assert sqs.receive_message(QueueUrl=shop.failed.url).get("Messages", []) == []


def test_an_agents_cart_publishes_the_same_events(api: Api, shop: Shop) -> None:
    agent = {"UCP-Agent": 'profile="https://agent.example/.well-known/ucp"'}
    two = [{"item": {"id": "ESP-1KG"}, "quantity": 2}, {"item": {"id": "MUG-CER"}, "quantity": 1}]
    created = api.call("POST", "/ucp/carts", {"line_items": two}, agent)
    cart = created.json["id"]
    replaced = {"line_items": [{"item": {"id": "ESP-1KG"}, "quantity": 3}]}
    updated = api.call("PUT", f"/ucp/carts/{cart}", replaced, agent)
    api.call("POST", f"/ucp/carts/{cart}/cancel", {}, agent)
    events = shop.events()
    assert changes(events) == [
        ("CartCreated", 1, {}),
        ("ItemsChanged", 2, {"lines": [line(3, 2), line(0, 1, "MUG-CER")]}),
        ("CartDeleted", 3, {}),
    ]
    assert events[0]["detail"]["cart"] == {"itemCount": 3, "lineCount": 2, "currency": "USD"}
    assert events[0]["detail"]["requestId"] == created.headers["X-Request-Id"]
    assert events[1]["detail"]["requestId"] == updated.headers["X-Request-Id"]
