"""Records the IAM actions behind every DynamoDB call a client makes, per calling function.

IAM authorises a TransactWriteItems per item (UpdateItem on this table, DeleteItem on that
one) and a batch per table, so calls are recorded as IAM sees them: (table, action), and
(bus, PutEvents) for EventBridge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def iam_actions(operation: str, params: dict[str, Any]) -> set[tuple[str, str]]:
    """(table name, IAM action) pairs that a DynamoDB API call needs."""
    if operation in {"TransactWriteItems", "TransactGetItems"}:
        return {
            (body["TableName"], _TRANSACT_ACTIONS[kind])
            for item in params["TransactItems"]
            for kind, body in item.items()
        }
    if operation in {"BatchGetItem", "BatchWriteItem"}:
        return {(table, operation) for table in params["RequestItems"]}
    if "IndexName" in params:
        return {(f"{params['TableName']}/index/{params['IndexName']}", operation)}
    return {(params["TableName"], operation)}


class IamRecorder:
    def __init__(self) -> None:
        self.calls: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._function: str | None = None

    def attach(self, client: Any) -> None:
        """Record the calls of a DynamoDB or EventBridge client."""
        service = client.meta.service_model.endpoint_prefix
        client.meta.events.register(
            f"before-parameter-build.{service}", self._record, unique_id="iam-recorder"
        )

    @contextmanager
    def calling_as(self, function: str) -> Iterator[None]:
        """Attribute the DynamoDB calls made inside to `function`."""
        self._function = function
        try:
            yield
        finally:
            self._function = None

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self._function is None:
            return
        if model.service_model.endpoint_prefix == "events":
            self.calls[self._function] |= {(params["Entries"][0]["EventBusName"], model.name)}
        else:
            self.calls[self._function] |= iam_actions(model.name, params)
