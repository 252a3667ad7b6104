"""Publish again the cart events of the stream records the consumer gave up on.

    python -m tools.deploy.republish_failed_events STAGE     # make republish STAGE=dev

The consumer's event source gives up on a record after its retries (tools/deploy/
stream_source.py) and puts where it is in the stream on the stage's failed-events queue.
Once the cause is fixed (EventBridge back, a bug deployed away), this reads each message,
reads its records from the Carts stream again (DynamoDB keeps them for 24 hours), and hands
them to the stage's own consumer function, as Lambda would: their events are published
with their usual ids (subscribers dedupe on `eventId`). A message whose records were all
published is deleted; one whose records failed again, or are no longer in the stream, is
kept and reported. STAGE=local works on a running `make run`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from tools.local.event_stream import Handler, lambda_record


class Republished(NamedTuple):
    republished: int
    """Messages whose records were all published, and deleted."""
    kept: list[str]
    """Why each message kept could not be done."""


def republish(sqs: Any, streams: Any, queue_url: str, handler: Handler) -> Republished:
    """Every message on the queue, once: its records read again and handed to `handler`."""
    done, kept, seen = 0, list[str](), set[str]()
    while True:
        answer = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
        )
        messages = [m for m in answer.get("Messages", []) if m["MessageId"] not in seen]
        if not messages:
            return Republished(done, kept)
        for message in messages:
            seen.add(message["MessageId"])
            batch = json.loads(message["Body"])["DDBStreamBatchInfo"]
            problem = _publish(streams, batch, handler)
            if problem is None:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                done += 1
            else:
                kept.append(f"{batch['shardId']} {batch['startSequenceNumber']}: {problem}")


def _publish(streams: Any, batch: dict[str, Any], handler: Handler) -> str | None:
    records = records_of(streams, batch)
    if len(records) < int(batch["batchSize"]):
        return f"{len(records)} of its {batch['batchSize']} records are left in the stream"
    failures = handler({"Records": records}).get("batchItemFailures") or []
    return f"record {failures[0]['itemIdentifier']} failed again" if failures else None


def records_of(streams: Any, batch: dict[str, Any]) -> list[dict[str, Any]]:
    """The batch's records, read from the stream, in the form Lambda delivers them."""
    arn, last = batch["streamArn"], int(batch["endSequenceNumber"])
    iterator: str | None = streams.get_shard_iterator(
        StreamArn=arn,
        ShardId=batch["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=batch["startSequenceNumber"],
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    while iterator is not None:
        page = streams.get_records(ShardIterator=iterator, Limit=100)
        for record in page["Records"]:
            if int(record["dynamodb"]["SequenceNumber"]) > last:
                return records
            records.append(lambda_record(record, arn))
        if not page["Records"]:
            return records
        iterator = page.get("NextShardIterator")
    return records


def deployed_consumer(lambda_client: Any, function_name: str) -> Handler:
    """The stage's consumer function, invoked as its event source would."""

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        answer = lambda_client.invoke(
            FunctionName=function_name, Payload=json.dumps(event, default=str).encode()
        )
        if answer.get("FunctionError"):
            return {"batchItemFailures": [{"itemIdentifier": "the function failed"}]}
        result: dict[str, Any] = json.loads(answer["Payload"].read() or b"{}")
        return result

    return handle


def main(arguments: list[str] | None = None, output: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("stage")
    stage = parser.parse_args(arguments).stage
    if stage == "local":
        from tools.local.republish import local_stage

        sqs, streams, queue_url, handler = local_stage()
    else:
        import boto3

        from tools.deploy.deploy import tables_stack_name
        from tools.deploy.policies import STREAM_CONSUMER, lambda_name

        stack = boto3.client("cloudformation").describe_stacks(StackName=tables_stack_name(stage))[
            "Stacks"
        ][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        sqs, streams = boto3.client("sqs"), boto3.client("dynamodbstreams")
        queue_url = outputs["FailedCartEventsQueueUrl"]
        handler = deployed_consumer(boto3.client("lambda"), lambda_name(stage, STREAM_CONSUMER))
    result = republish(sqs, streams, queue_url, handler)
    output(f"republished {result.republished} failed batch(es); {len(result.kept)} kept")
    for reason in result.kept:
        output(f"  kept {reason}")
    return 1 if result.kept else 0


if __name__ == "__main__":
    raise SystemExit(main())
