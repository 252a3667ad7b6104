"""How the stream consumer's event source treats a batch that fails: one policy, read by the
SAM template (tools/deploy/package.py), `make deploy` (tools/deploy/deploy.py) and the local
relay of `make run` and the tests (tools/local/event_stream.py).

A record the consumer cannot publish must not hold its shard: without a limit, Lambda
retries a failed batch until its records expire (24 hours), and every later change of the
shard waits behind it. With this policy:

- the consumer reports the first record it did not publish (ReportBatchItemFailures), and
  Lambda retries from there;
- a batch that still fails is split in two (BisectBatchOnFunctionError), then in two again,
  until the record that fails is alone: the records around it get through;
- a record retried MAXIMUM_RETRY_ATTEMPTS times, or older than MAXIMUM_RECORD_AGE_SECONDS,
  is given up: Lambda puts a description of its batch (shard, first and last sequence
  number, the stream) on the failed-events queue, and the shard moves on;
- once the cause is fixed, `make republish STAGE=...` reads that queue, reads those records
  from the stream again (it keeps them for 24 hours) and publishes their events.

Ten retries with Lambda's backoff ride out a short EventBridge outage; a longer one fills
the queue, which its alarm reports (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

MAXIMUM_RETRY_ATTEMPTS = 10
MAXIMUM_RECORD_AGE_SECONDS = 6 * 3600
BISECT_BATCH_ON_FUNCTION_ERROR = True
FAILED_EVENTS_QUEUE_RESOURCE = "FailedCartEventsQueue"


def failed_events_queue_name(stage: str) -> str:
    """The queue's name (infra/tables.json names it the same way)."""
    return f"cart-service-{stage}-failed-cart-events"


def event_source_settings(queue_arn: Any) -> dict[str, Any]:
    """The event source mapping's settings, as both CloudFormation and the Lambda API
    name them."""
    return {
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "MaximumRetryAttempts": MAXIMUM_RETRY_ATTEMPTS,
        "MaximumRecordAgeInSeconds": MAXIMUM_RECORD_AGE_SECONDS,
        "BisectBatchOnFunctionError": BISECT_BATCH_ON_FUNCTION_ERROR,
        "DestinationConfig": {"OnFailure": {"Destination": queue_arn}},
    }
