"""Refused discount codes on DynamoDB: the CodeAttempts table.

One item per scope and window (`scope`: "cart {id} 2026-12-04T15"), its `refusals` counted
with ADD (concurrent refusals all count), gone by TTL an hour after its window.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.attempts import AttemptWindow
from chalicelib.domain.errors import StorageUnavailable
from chalicelib.dynamodb.calls import batch_get, storage_errors
from chalicelib.dynamodb.rows import epoch
from chalicelib.parallel import in_parallel
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

    def refusals(self, scopes: Sequence[str], window: AttemptWindow) -> int:
        keys = [_key(scope, window) for scope in scopes]
        rows = batch_get(self._client, self._table, keys)
        return max((int(row["refusals"]["N"]) for row in rows), default=0)

    def count_refusal(self, scopes: Sequence[str], window: AttemptWindow) -> None:
        """Counted in parallel; a count that fails is logged, the refusal answered all the
        same (a guesser then gets one try more, not an error)."""
        try:
            in_parallel([functools.partial(self._count, scope, window) for scope in scopes])
        except StorageUnavailable:
            log.warning("a refused discount code was not counted")

    def _count(self, scope: str, window: AttemptWindow) -> None:
        with storage_errors():
            self._client.update_item(
                TableName=self._table,
                Key=_key(scope, window),
                UpdateExpression="ADD refusals :one SET expiresAt = :expiresAt",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":expiresAt": epoch(window.ends_at + timedelta(hours=1)),
                },
            )
