"""Cart events on this machine: what Lambda and an EventBridge rule do in AWS, against moto.

- StreamPump reads the Carts table's stream and hands each batch of records to the stream
  consumer, as Lambda's event source mapping does: from the oldest record, in order, and
  again from the first record the consumer reports failed (ReportBatchItemFailures).
  moto's GetRecords answers differ from what Lambda delivers (datetime timestamps, no
  `eventSourceARN`): records are reshaped to Lambda's form first.
- EventTap routes the bus to an SQS queue with an EventBridge rule, as a subscriber would,
  and reads what arrives.

`make run` and the tests use both; nothing here is deployed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.domain.clock import format_timestamp, utc_now
from chalicelib.domain.events import SOURCE
from chalicelib.settings import Settings
from chalicelib.wiring import build, build_events
from tools.local.stack import local_client

Handler = Callable[[dict[str, Any]], dict[str, Any]]
"""The consumer as Lambda calls it: an event of Records in, its batch answer out."""


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record from GetRecords in the form Lambda delivers it."""
    images = dict(record["dynamodb"])
    created = images["ApproximateCreationDateTime"]
    if not isinstance(created, int | float):
        images["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": images, "eventSourceARN": stream_arn}


class StreamPump:
    def __init__(self, streams: Any, stream_arn: str, handler: Handler, batch_size: int = 100):
        self._streams = streams
        self._arn = stream_arn
        self._handler = handler
        self._batch_size = batch_size
        self._iterators: dict[str, str | None] = {}

    def pump(self) -> int:
        """Deliver every record not delivered yet; how many were delivered (counting those
        delivered again after a reported failure)."""
        delivered = 0
        for shard in self._shards():
            while (iterator := self._iterators.get(shard)) is not None:
                page = self._streams.get_records(ShardIterator=iterator, Limit=self._batch_size)
                records = [lambda_record(r, self._arn) for r in page["Records"]]
                if not records:
                    self._iterators[shard] = page.get("NextShardIterator")
                    break
                answer = self._handler({"Records": records})
                delivered += len(records)
                failures = answer.get("batchItemFailures") or []
                if failures:  # Lambda delivers again from the first failed record
                    self._iterators[shard] = self._iterator(
                        shard, "AT_SEQUENCE_NUMBER", failures[0]["itemIdentifier"]
                    )
                    return delivered
                self._iterators[shard] = page.get("NextShardIterator")
        return delivered

    def redeliver(self) -> None:
        """Deliver every record again from the oldest, as Lambda does after a failed
        batch or a consumer's timeout: the next pump publishes every event a second time."""
        self._iterators = {shard: self._iterator(shard, "TRIM_HORIZON") for shard in self._shards()}

    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        shards = [shard["ShardId"] for shard in description["Shards"]]
        for shard in shards:
            if shard not in self._iterators:
                self._iterators[shard] = self._iterator(shard, "TRIM_HORIZON")
        return shards

    def _iterator(self, shard: str, kind: str, sequence_number: str | None = None) -> str:
        position = {"SequenceNumber": sequence_number} if sequence_number else {}
        answer = self._streams.get_shard_iterator(
            StreamArn=self._arn, ShardId=shard, ShardIteratorType=kind, **position
        )
        return str(answer["ShardIterator"])


class EventTap:
    """An SQS queue that receives every cart event on the bus, through an EventBridge rule."""

    def __init__(self, events: Any, sqs: Any, bus: str, name: str = "cart-events-tap") -> None:
        self._sqs = sqs
        self._queue = sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue, AttributeNames=["QueueArn"])
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": [SOURCE]}))
        events.put_targets(
            Rule=name,
            EventBusName=bus,
            Targets=[{"Id": "queue", "Arn": queue_arn["Attributes"]["QueueArn"]}],
        )

    def drain(self) -> list[dict[str, Any]]:
        """The events that arrived since the last drain, in order of arrival."""
        received: list[dict[str, Any]] = []
        while True:
            answer = self._sqs.receive_message(QueueUrl=self._queue, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                return received
            received += [json.loads(message["Body"]) for message in messages]
            self._sqs.delete_message_batch(
                QueueUrl=self._queue,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": message["ReceiptHandle"]}
                    for n, message in enumerate(messages)
                ],
            )


class EventRelay:
    """The service's stream consumer and abandoned-cart sweep, run in this process against
    a local server, and a subscriber's queue: what `make run` runs, and the end-to-end tests
    assert on. The consumer is app.py's own function, called as Lambda calls it."""

    def __init__(
        self,
        endpoint: str,
        settings: Settings,
        tap_name: str = "cart-events-tap",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        import app as service  # imported here: importing it configures logging

        dynamodb, events = local_client("dynamodb", endpoint), local_client("events", endpoint)
        self.clients = (dynamodb, events)
        """What the consumer and the sweep call DynamoDB and EventBridge with."""
        self._service = service
        service.cart_events.use(build_events(settings, dynamodb, events, clock))
        service.services.use(build(settings, dynamodb))  # for the stalled-merge sweep
        table = dynamodb.describe_table(TableName=settings.carts_table)["Table"]
        self.pump = StreamPump(
            local_client("dynamodbstreams", endpoint),
            table["LatestStreamArn"],
            lambda event: service.publish_cart_events(event, None),
        )
        self.tap = EventTap(
            events, local_client("sqs", endpoint), settings.event_bus_name, tap_name
        )

    def relay(self) -> list[dict[str, Any]]:
        """Deliver the stream's new records to the consumer; the events that reached the
        subscriber's queue since the last call."""
        self.pump.pump()
        return self.tap.drain()

    def sweep(self) -> None:
        """Run the two sweeps, as app.py's scheduled functions: each writes its access line
        (the carts it finished or marked, and its metrics)."""
        self._service.finish_stalled_merges(scheduled_event(), None)
        self._service.mark_abandoned_carts(scheduled_event(), None)


def scheduled_event() -> dict[str, Any]:
    """An EventBridge schedule's event, as Lambda hands it to a scheduled function."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": format_timestamp(utc_now()),
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }
