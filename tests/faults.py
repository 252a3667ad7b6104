"""Fault injection for DynamoDB clients: answer chosen calls with an error, before sending.

Registered on botocore's `before-send` event, so the answer goes through botocore's own
parsing and retry handling exactly like one from DynamoDB: what moto never does (throttle,
conflict, fail) can be shown to be handled.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSResponse


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def dynamodb_answer(body: dict[str, Any], status: int = 200) -> AWSResponse:
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse("https://dynamodb.local", status, headers, _Body(json.dumps(body).encode()))


def dynamodb_error(code: str, status: int = 400, **members: Any) -> AWSResponse:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code, **members}
    return dynamodb_answer(body, status)


def entries_refused(count: int) -> AWSResponse:
    """EventBridge's PutEvents answer when it put none of the call's `count` entries."""
    refused = [{"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}] * count
    body = json.dumps({"FailedEntryCount": count, "Entries": refused}).encode()
    return AWSResponse("https://events.local", 200, {}, _Body(body))


def throttled() -> AWSResponse:
    return dynamodb_error("ProvisionedThroughputExceededException")


def transaction_conflict(actions: int = 2) -> AWSResponse:
    reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
    reasons += [{"Code": "None"}] * (actions - 1)
    return dynamodb_error("TransactionCanceledException", CancellationReasons=reasons)


class FaultInjector:
    """Fails the next `times` calls of an operation with a canned response; counts calls."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        self._faults: dict[str, tuple[float, Callable[[], AWSResponse]]] = {}
        self._spared: dict[str, int] = {}
        client.meta.events.register_first("before-send.dynamodb", self._before_send)

    def fail(
        self,
        operation: str,
        response: Callable[[], AWSResponse],
        times: float = float("inf"),
        after: int = 0,
    ) -> None:
        """Answer `times` calls of `operation` with `response`, once `after` calls went by."""
        self._faults[operation] = (times, response)
        self._spared[operation] = after

    def _before_send(self, event_name: str, request: Any, **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        self.calls[operation] += 1
        if self._faults.get(operation, (0,))[0] <= 0:
            return None
        if self._spared.get(operation, 0) > 0:
            self._spared[operation] -= 1
            return None
        times, response = self._faults[operation]
        self._faults[operation] = (times - 1, response)
        # botocore calls every before-send handler and keeps the first answer; moto's (in
        # process) would still execute the call, so the request is pointed where moto
        # matches no service and the call never happens.
        request.url = "http://fault-injected.invalid/"
        return response()
