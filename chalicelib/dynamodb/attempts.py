"""Discount codes entered and not accepted, on DynamoDB: the CodeAttempts table.

One item per scope and window (`scope`: "cart {id} 2026-12-04T15"), its `attempts` counted
with ADD, which returns the new count: codes sent at once each get a number of their own
(the atomic count of domain/attempts.py's rule that one over the limit is never checked).
Gone by TTL an hour after its window.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.attempts import AttemptWindow
from chalicelib.domain.errors import StorageUnavailable
from chalicelib.dynamodb.calls import storage_errors
from chalicelib.dynamodb.rows import epoch
from chalicelib.service.ports import CodeAttempts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)


def _key(scope: str, window: AttemptWindow) -> dict[str, dict[str, str]]:
    return {"scope": {"S": f"{scope} {window.name}"}}


class DynamoCodeAttempts(CodeAttempts):
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def count(self, scope: str, window: AttemptWindow) -> int:
        return self._add(scope, window, 1)

    def take_back(self, scope: str, window: AttemptWindow) -> None:
        """A take-back that fails is logged, the code accepted all the same (the shopper
        then has one code fewer in the hour, not an error)."""
        try:
            self._add(scope, window, -1)
        except StorageUnavailable:
            log.warning("an accepted discount code was not taken back from its count")

    def _add(self, scope: str, window: AttemptWindow, codes: int) -> int:
        with storage_errors():
            answer = self._client.update_item(
                TableName=self._table,
                Key=_key(scope, window),
                UpdateExpression="ADD attempts :codes SET expiresAt = :expiresAt",
                ExpressionAttributeValues={
                    ":codes": {"N": str(codes)},
                    ":expiresAt": epoch(window.ends_at + timedelta(hours=1)),
                },
                ReturnValues="UPDATED_NEW",
            )
        return int(answer["Attributes"]["attempts"]["N"])
