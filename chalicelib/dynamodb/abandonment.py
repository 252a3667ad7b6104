"""Which carts may be abandoned, and when: a sparse index on the Carts table.

The stream consumer watches a cart that can be abandoned (active, with lines) by writing,
on its row, the moment it will be (`abandonAt`) and that moment's hour (`abandonBucket`):
the keys of the index `byAbandonTime`, which holds only watched carts. Each write is
conditioned on the version the consumer saw, so a slow consumer never watches a cart as it
no longer is. The sweep reads the index one hour's partition at a time, never the table,
and marks a cart abandoned (`abandonedAt`, taking it out of the index) only if it is still
as watched and idle since: the stream then carries that mark to the consumer, which
publishes CartAbandoned. No request writes any of this: events stay off the request path.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.cart import ACTIVE
from chalicelib.domain.clock import format_timestamp
from chalicelib.dynamodb.calls import query_pages, storage_errors
from chalicelib.dynamodb.rows import cart_key
from chalicelib.dynamodb.tables import ABANDON_INDEX
from chalicelib.parallel import in_parallel
from chalicelib.service.ports import IdleCarts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)


def bucket(moment: datetime) -> str:
    """`2026-11-28T13`: the index partition of carts abandoned within that hour."""
    return format_timestamp(moment)[:13]


class DynamoIdleCarts(IdleCarts):
    def __init__(self, client: DynamoDBClient, carts_table: str) -> None:
        self._client = client
        self._carts = carts_table

    def watch(self, cart_id: str, version: int, abandon_at: datetime) -> None:
        self._update(
            cart_id,
            "SET abandonAt = :at, abandonBucket = :bucket",
            # not again after the sweep marked it (a redelivered record)
            "version = :version AND (attribute_not_exists(abandonedAt) OR abandonedAt <> :at)",
            {
                ":at": {"S": format_timestamp(abandon_at)},
                ":bucket": {"S": bucket(abandon_at)},
                ":version": {"N": str(version)},
            },
        )

    def unwatch(self, cart_id: str, version: int) -> None:
        self._update(
            cart_id,
            "REMOVE abandonAt, abandonBucket",
            "version = :version AND attribute_exists(abandonAt)",
            {":version": {"N": str(version)}},
        )

    def due(self, now: datetime, lookback: timedelta) -> list[tuple[str, str]]:
        """(cart id, abandonAt) of the watched carts due by `now`, over the hours since
        `now - lookback` (one Query per hour, at once)."""
        first = now.replace(minute=0, second=0, microsecond=0) - lookback
        hours = [first + timedelta(hours=n) for n in range(int(lookback / timedelta(hours=1)) + 1)]
        queries: list[Callable[[], list[tuple[str, str]]]] = [
            functools.partial(self._due_in, bucket(hour), now) for hour in hours
        ]
        return [entry for entries in in_parallel(queries) for entry in entries]

    def _due_in(self, hour: str, now: datetime) -> list[tuple[str, str]]:
        query: dict[str, Any] = {
            "TableName": self._carts,
            "IndexName": ABANDON_INDEX,
            "KeyConditionExpression": "abandonBucket = :bucket AND abandonAt <= :now",
            "ExpressionAttributeValues": {
                ":bucket": {"S": hour},
                ":now": {"S": format_timestamp(now)},
            },
        }
        return [
            (row["cartId"]["S"], row["abandonAt"]["S"])
            for page in query_pages(self._client, query)
            for row in page["Items"]
        ]

    def mark_abandoned(self, cart_id: str, abandon_at: str, idle_since: datetime) -> bool:
        """Mark the cart abandoned if it is still as it was watched and unchanged since
        `idle_since`; whether it was."""
        return self._update(
            cart_id,
            "SET abandonedAt = :at REMOVE abandonAt, abandonBucket",
            "abandonAt = :at AND #status = :active AND updatedAt <= :idleSince",
            {
                ":at": {"S": abandon_at},
                ":active": {"S": ACTIVE},
                ":idleSince": {"S": format_timestamp(idle_since)},
            },
            {"#status": "status"},
        )

    def _update(
        self,
        cart_id: str,
        update: str,
        condition: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> bool:
        """Whether the row met the condition (if not, the cart moved on or is gone)."""
        names_argument: Any = {"ExpressionAttributeNames": names} if names else {}
        with storage_errors():
            try:
                self._client.update_item(
                    TableName=self._carts,
                    Key=cart_key(cart_id),
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeValues=values,
                    **names_argument,
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                log.debug("cart %s moved on: %s not applied", cart_id, update)
                return False
        return True
