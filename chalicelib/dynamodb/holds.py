"""Lapsed holds given back: the carts whose holds lapsed, found in the sparse index of carts
holding units (HOLDS_INDEX), each released in one transaction: its row's holds (the lapsed
ones left with no units, so their lines warn HOLD_EXPIRED; all of a cart gone), the units
back to their shards and the holders' counts down.

Every release steps the cart row's version, under the kind HOLDS_MOVED, which no event
publishes: a change decided on the holds as they were fails its condition and reads again,
and so does a second release of the same row (a deleted cart's own, and the sweep's). A
deleted or expired cart's row loses all its holds; an active one its lapsed ones.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib import telemetry
from chalicelib.domain.cart import ACTIVE
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.events import HOLDS_MOVED
from chalicelib.domain.holds import release
from chalicelib.dynamodb.calls import query_pages, transact
from chalicelib.dynamodb.hold_rows import HOLDS_BUCKETS, holds_from, holds_update
from chalicelib.dynamodb.rows import Row, cart_key, from_epoch
from chalicelib.dynamodb.stock import count_update, stock_take
from chalicelib.dynamodb.tables import HOLDS_INDEX
from chalicelib.parallel import in_parallel
from chalicelib.service.ports import HoldSweep

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


RECLAIMED = 25
"""The carts a change short of units reclaims lapsed holds from, at most (the oldest first):
enough for a lot's units, short enough for a request; the sweep takes the rest."""


class DynamoHoldSweep(HoldSweep):
    def __init__(
        self, client: DynamoDBClient, carts_table: str, stock_table: str, counts_table: str
    ) -> None:
        self._client = client
        self._carts = carts_table
        self._stock = stock_table
        self._counts = counts_table

    def release_lapsed(self, now: datetime, product_id: str | None = None) -> int:
        """Give back the units of every hold lapsed by `now` (of `product_id`'s only, if
        named: a hold that found too few units reclaiming them, from at most RECLAIMED
        carts); the units given back. The index's partitions are read at once, the carts
        released one after another (one transaction each)."""
        buckets: list[Callable[[], list[Row]]] = [
            functools.partial(self._lapsed_in, bucket, now, product_id)
            for bucket in range(HOLDS_BUCKETS)
        ]
        rows = [row for found in in_parallel(buckets) for row in found]
        if product_id is not None:
            rows = sorted(rows, key=lambda row: row["holdsLapseAt"]["N"])[:RECLAIMED]
        returned = sum(self.release(row, now) for row in rows)
        telemetry.count("HoldsLapsed", returned)
        return returned

    def release(self, row: Row, now: datetime) -> int:
        """Release the holds of one cart row (as the index has it) that lapsed by `now`, all
        of them if the cart is gone; the units given back (0 when the cart changed since it
        was read: its next change, or the next sweep, does it)."""
        holds = holds_from(row.get("holds"))
        gone = row["status"]["S"] != ACTIVE or from_epoch(int(row["expiresAt"]["N"])) <= now
        kept, given_back = release(holds, now, all_of_them=gone)
        if not given_back.takes:
            return 0
        cart_id = row["cartId"]["S"]
        sets, removes, values = holds_update(cart_id, kept)
        # The version steps for a cart gone too: a release of the same row read before this
        # one committed (the sweep's, beside a delete's own) then fails its condition.
        expression = "SET " + ", ".join([*sets, "lastEvent = :moved"])
        expression += f" REMOVE {', '.join([*removes, 'lastProductId', 'lastRequestId'])}"
        update: dict[str, Any] = {
            "TableName": self._carts,
            "Key": cart_key(cart_id),
            "UpdateExpression": expression + " ADD version :one",
            "ConditionExpression": "version = :read",
            "ExpressionAttributeValues": {
                **values,
                ":moved": {"S": HOLDS_MOVED},
                ":read": row["version"],
                ":one": {"N": "1"},
            },
        }
        actions = [
            {"Update": update},
            *(stock_take(self._stock, take) for take in given_back.takes),
            *(count_update(self._counts, count) for count in given_back.counts),
        ]
        try:
            transact(self._client, cart_id, actions, None, attempts=4)
        except ConcurrentUpdate:
            return 0
        return -sum(take.units for take in given_back.takes)

    def _lapsed_in(self, bucket: int, now: datetime, product_id: str | None) -> list[Row]:
        query: dict[str, Any] = {
            "TableName": self._carts,
            "IndexName": HOLDS_INDEX,
            "KeyConditionExpression": "holdsBucket = :bucket AND holdsLapseAt <= :now",
            "ExpressionAttributeValues": {
                ":bucket": {"N": str(bucket)},
                ":now": {"N": str(int(now.timestamp()))},
            },
        }
        if product_id is not None:
            query["FilterExpression"] = "attribute_exists(holds.#pid)"
            query["ExpressionAttributeNames"] = {"#pid": product_id}
        return [row for page in query_pages(self._client, query) for row in page["Items"]]
