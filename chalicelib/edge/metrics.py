"""The service's metrics, written as CloudWatch Embedded Metric Format (EMF) on the request's
log line: CloudWatch Logs extracts them, so no metric costs an API call.

`METRICS` is the one list of what the service emits: the alarms and the dashboard of
tools/deploy/ name metrics from it, and tests check both against it. Dimensions stay
few and bounded (the stage, the operation or function, an error code, a refusal reason): a
cart or request id never becomes a dimension, it stays in the log line.

Why not Powertools Metrics: measured here, importing it costs about 10 ms on top of boto3
and Chalice (55 ms alone) and adds 7.6 MB to the package, which takes the cold start past
its target (docs/operations.md); EMF is a small JSON format, written below in a few lines.
"""

from __future__ import annotations

import functools
import time
from typing import Any, NamedTuple

from chalicelib.settings import METRICS_NAMESPACE
from chalicelib.telemetry import Tally

STAGE, OPERATION, CODE, REASON = "stage", "operation", "code", "reason"


class Metric(NamedTuple):
    name: str
    dimensions: tuple[str, ...]
    meaning: str
    unit: str = "Count"


_PER_OPERATION = (STAGE, OPERATION)
METRICS = {
    metric.name: metric
    for metric in (
        Metric("Requests", _PER_OPERATION, "requests and invocations, answered or not"),
        Metric("Latency", _PER_OPERATION, "time to answer, in the function", "Milliseconds"),
        Metric("ServerErrors", _PER_OPERATION, "answers 500 or 503"),
        Metric("Refusals", (STAGE, OPERATION, CODE), "error answers, by their code"),
        Metric("Unauthenticated", _PER_OPERATION, "401 answered by the service itself"),
        Metric("Accepted", _PER_OPERATION, "202: committed, the cart not read back"),
        Metric("Replays", _PER_OPERATION, "keyed retries answered from their receipt"),
        Metric("KeyReuseRefusals", _PER_OPERATION, "an Idempotency-Key sent with another body"),
        Metric("DynamoDBCalls", _PER_OPERATION, "DynamoDB round trips, retries included"),
        Metric("DynamoDBRetries", _PER_OPERATION, "DynamoDB calls botocore retried"),
        Metric("DynamoDBThrottles", _PER_OPERATION, "DynamoDB answers that were throttling"),
        Metric("ConditionalConflicts", _PER_OPERATION, "writes whose cart moved meanwhile"),
        Metric("CartsCreated", (STAGE,), "carts created"),
        Metric("ItemsAdded", (STAGE,), "add_item and change_items changes committed"),
        Metric("Checkouts", (STAGE,), "carts checked out"),
        Metric("CheckoutRefusals", (STAGE, CODE), "checkouts refused, by code"),
        Metric("StockContention", _PER_OPERATION, "stock taken meanwhile: read again"),
        Metric("StockRefusals", _PER_OPERATION, "changes refused INSUFFICIENT_STOCK"),
        Metric("HoldsCapped", _PER_OPERATION, "changes a client's cap kept from holding more"),
        Metric("HoldsLapsed", _PER_OPERATION, "units of lapsed holds given back"),
        Metric("DiscountCodesRefused", (STAGE, REASON), "discount codes refused, by reason"),
        Metric("MergesInSteps", (STAGE,), "merges too large for one transaction"),
        Metric("MergesFinishedBySweeper", (STAGE,), "interrupted merges the sweeper finished"),
        Metric("EventsPublished", (STAGE,), "cart events put on the bus"),
        Metric("EventPublishFailures", (STAGE,), "stream batches stopped by a failed event"),
        Metric("CartsAbandoned", (STAGE,), "carts the sweep marked abandoned"),
    )
}


def derive(tally: Tally, status: int | None) -> None:
    """Count what the invocation's outcome means, once it is known: the request itself,
    its refusal, and the shopper-funnel steps that a 2xx (not a replay) made."""
    labels, counts = tally.labels, tally.counts
    operation, code = labels.get(OPERATION), labels.get(CODE)
    counts["Requests"] += 1
    if code is not None:
        counts["Refusals"] += 1
        counts["KeyReuseRefusals"] += code == "IDEMPOTENCY_KEY_REUSED"
        counts["CheckoutRefusals"] += operation == "checkout"
        counts["StockRefusals"] += code == "INSUFFICIENT_STOCK"
    counts["DiscountCodesRefused"] += REASON in labels
    counts["ServerErrors"] += status is not None and status >= 500
    counts["Unauthenticated"] += status == 401
    counts["Accepted"] += status == 202
    # (A UCP refusal is a 2xx too, an error response: it carries its code.)
    if status is not None and 200 <= status < 300 and code is None and not counts["Replays"]:
        counts["CartsCreated"] += operation in ("create_cart", "ucp_create_cart")
        counts["ItemsAdded"] += operation in ("add_item", "change_items")
        counts["Checkouts"] += operation == "checkout"


def emf_members(tally: Tally, stage: str, latency_ms: float) -> dict[str, Any]:
    """The members that make a log line an EMF document: `_aws` with one directive per set
    of dimensions, the dimensions' values and the metrics' values (zeros left out)."""
    values: dict[str, Any] = {STAGE: stage, **tally.labels}
    measured: dict[str, float] = {name: n for name, n in tally.counts.items() if n}
    measured["Latency"] = latency_ms
    directives, emitted = _directives(tuple(measured), frozenset(values))
    values.update((name, measured[name]) for name in emitted)
    return {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": directives},
        **values,
    }


@functools.lru_cache(maxsize=256)
def _directives(
    measured: tuple[str, ...], dimensions: frozenset[str]
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """The directives of a line with these metrics measured and these dimensions' values,
    and the metrics they name (one whose dimension has no value is left out). A few sets
    recur, so each is worked out once: every line of a set shares these lists, which a line
    only encodes and never changes."""
    emitted = tuple(n for n in measured if dimensions.issuperset(METRICS[n].dimensions))
    named: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for name in emitted:
        metric = METRICS[name]
        named.setdefault(metric.dimensions, []).append({"Name": name, "Unit": metric.unit})
    directives = [
        {"Namespace": METRICS_NAMESPACE, "Dimensions": [list(dims)], "Metrics": metrics}
        for dims, metrics in named.items()
    ]
    return directives, emitted
