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
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.clock import format_timestamp, utc_now
from chalicelib.domain.events import SOURCE
from chalicelib.settings import Settings
from chalicelib.wiring import build, build_events
from tools.deploy.stream_source import (
    BISECT_BATCH_ON_FUNCTION_ERROR,
    MAXIMUM_RECORD_AGE_SECONDS,
    MAXIMUM_RETRY_ATTEMPTS,
    failed_events_queue_name,
)
from tools.local.stack import LOCAL_STAGE, local_client

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
    """Lambda's event source mapping on the Carts stream, with the failure policy of
    tools/deploy/stream_source.py: a failed batch is delivered again from its first failed
    record (one attempt per `pump`, as Lambda retries later), halved until the record that
    fails is alone, and given up after its retries, or when older than the maximum age, to
    `on_failure` (a description of its batch, as Lambda puts on the on-failure queue)."""

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        handler: Handler,
        batch_size: int = 100,
        on_failure: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.streams = streams
        self._arn = stream_arn
        self._handler = handler
        self._batch_size = batch_size
        self._on_failure = on_failure
        self._clock = clock
        self._iterators: dict[str, str | None] = {}
        self._limits: dict[str, int] = {}
        """A shard's batch size now: halved while a batch fails (bisection)."""
        self._retries: dict[str, tuple[str, int]] = {}
        """A shard's failing record and how often it was retried alone."""
        self._done: dict[str, int] = {}

    def pump(self, max_batches: int = 5) -> int:
        """Deliver the records not delivered yet, at most `max_batches` batches a shard (a
        stream that never stops growing, as under `make load`, still lets the caller go
        on); how many were delivered (counting those delivered again after a failure)."""
        delivered = 0
        for shard in self._shards():
            batches = 0
            while (iterator := self._iterators.get(shard)) is not None and batches < max_batches:
                batches += 1
                limit = self._limits.get(shard, self._batch_size)
                page = self.streams.get_records(ShardIterator=iterator, Limit=limit)
                records = [lambda_record(r, self._arn) for r in page["Records"]]
                if not records:
                    self._iterators[shard] = page.get("NextShardIterator")
                    break
                expired = self._expired(records)
                if expired:  # given up unread, as Lambda does past the maximum age
                    self._give_up(shard, records[:expired], "RecordAgeExceeded")
                    continue
                failed = self._deliver(records)
                delivered += len(records)
                if failed is None:
                    self._limits.pop(shard, None)
                    self._retries.pop(shard, None)
                    self._done[shard] = int(_sequence_number(records[-1]))
                    self._iterators[shard] = page.get("NextShardIterator")
                    continue
                failing = records[failed:]
                if self._retried_enough(shard, failing):
                    self._give_up(shard, failing, "RetryAttemptsExhausted")
                    continue
                self._iterators[shard] = self._iterator(
                    shard, "AT_SEQUENCE_NUMBER", _sequence_number(failing[0])
                )
                return delivered
        return delivered

    def _deliver(self, records: list[dict[str, Any]]) -> int | None:
        """Hand the batch to the consumer: the index of the first record it reports failed,
        0 when it raised (Lambda retries a function error's whole batch), None: all done."""
        try:
            answer = self._handler({"Records": records})
        except Exception:
            logging.getLogger(__name__).exception("the stream consumer failed its batch")
            return 0
        failures = answer.get("batchItemFailures") or []
        if not failures:
            return None
        numbers = [_sequence_number(record) for record in records]
        return numbers.index(failures[0]["itemIdentifier"])

    def _retried_enough(self, shard: str, failing: list[dict[str, Any]]) -> bool:
        """Halve a failing batch (not a retry, as for Lambda); count the retries of a record
        that fails alone; True once it has had them all."""
        if BISECT_BATCH_ON_FUNCTION_ERROR and len(failing) > 1:
            self._limits[shard] = max(1, len(failing) // 2)
            return False
        first = _sequence_number(failing[0])
        record, retries = self._retries.get(shard, (first, -1))
        retries = retries + 1 if record == first else 0
        self._retries[shard] = (first, retries)
        return retries >= MAXIMUM_RETRY_ATTEMPTS

    def _expired(self, records: list[dict[str, Any]]) -> int:
        """How many records at the batch's start are older than the maximum age."""
        oldest = self._clock() - MAXIMUM_RECORD_AGE_SECONDS
        created = [record["dynamodb"]["ApproximateCreationDateTime"] for record in records]
        return next((n for n, at in enumerate(created) if at >= oldest), len(records))

    def _give_up(self, shard: str, records: list[dict[str, Any]], condition: str) -> None:
        """Describe the records to `on_failure` and go on after them."""
        last = _sequence_number(records[-1])
        if self._on_failure is not None:
            self._on_failure(failed_batch(shard, records, condition, self._arn))
        self._limits.pop(shard, None)
        self._retries.pop(shard, None)
        self._done[shard] = int(last)
        self._iterators[shard] = self._iterator(shard, "AFTER_SEQUENCE_NUMBER", last)

    def redeliver(self) -> None:
        """Deliver every record again from the oldest, as Lambda does after a failed
        batch or a consumer's timeout: the next pump publishes every event a second time."""
        self._iterators = {shard: self._iterator(shard, "TRIM_HORIZON") for shard in self._shards()}

    def delivered_through(self) -> dict[str, int]:
        """Per shard, the sequence number of the last record handed on for good (published
        or given up): what the local server may forget (tools/local/moto_patches.py)."""
        return dict(self._done)

    def iterators_in_use(self) -> set[str]:
        return {iterator for iterator in self._iterators.values() if iterator is not None}

    def _shards(self) -> list[str]:
        description = self.streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        shards = [shard["ShardId"] for shard in description["Shards"]]
        for shard in shards:
            if shard not in self._iterators:
                self._iterators[shard] = self._iterator(shard, "TRIM_HORIZON")
        return shards

    def _iterator(self, shard: str, kind: str, sequence_number: str | None = None) -> str:
        position = {"SequenceNumber": sequence_number} if sequence_number else {}
        answer = self.streams.get_shard_iterator(
            StreamArn=self._arn, ShardId=shard, ShardIteratorType=kind, **position
        )
        return str(answer["ShardIterator"])


def _sequence_number(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def failed_batch(
    shard: str, records: list[dict[str, Any]], condition: str, stream_arn: str
) -> dict[str, Any]:
    """What Lambda puts on a stream source's on-failure destination: where the records it
    gave up on are in the stream (not the records themselves)."""
    arrivals = [record["dynamodb"]["ApproximateCreationDateTime"] for record in records]
    return {
        "requestContext": {"condition": condition, "approximateInvokeCount": 1},
        "version": "1.0",
        "timestamp": format_timestamp(utc_now()),
        "DDBStreamBatchInfo": {
            "shardId": shard,
            "startSequenceNumber": _sequence_number(records[0]),
            "endSequenceNumber": _sequence_number(records[-1]),
            "approximateArrivalOfFirstRecord": _iso(arrivals[0]),
            "approximateArrivalOfLastRecord": _iso(arrivals[-1]),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def _iso(seconds: float) -> str:
    return format_timestamp(datetime.fromtimestamp(seconds, UTC))


class FailedEventsQueue:
    """The local stand-in of the on-failure queue (an SQS queue of the local server)."""

    def __init__(self, sqs: Any, name: str) -> None:
        self.sqs = sqs
        self.url: str = sqs.create_queue(QueueName=name)["QueueUrl"]

    def put(self, failed: dict[str, Any]) -> None:
        self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps(failed))


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
        sqs = local_client("sqs", endpoint)
        self.failed_events = FailedEventsQueue(sqs, failed_events_queue_name(LOCAL_STAGE))
        self.pump = StreamPump(
            local_client("dynamodbstreams", endpoint),
            table["LatestStreamArn"],
            lambda event: service.publish_cart_events(event, None),
            on_failure=self.failed_events.put,
        )
        self.tap = EventTap(events, sqs, settings.event_bus_name, tap_name)

    def relay(self) -> list[dict[str, Any]]:
        """Deliver the stream's new records to the consumer; the events that reached the
        subscriber's queue since the last call."""
        self.pump.pump()
        return self.tap.drain()

    def sweep(self) -> None:
        """Run the three sweeps, as app.py's scheduled functions: each writes its access line
        (the carts it finished or marked, the units of lapsed holds, and its metrics)."""
        self._service.finish_stalled_merges(scheduled_event(), None)
        self._service.release_lapsed_holds(scheduled_event(), None)
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
