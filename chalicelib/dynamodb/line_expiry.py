"""Lines kept from expiring before their cart.

A change moves the cart's expiry forward but writes only the lines it changes; the lines it
leaves alone are moved along here: inside the change's transaction when it has room
(`moved`), or right after it (`move`). A line is moved at most once per LINE_EXPIRY_GRACE,
and one not moved this time is moved by the next change, so failing to move it is logged,
never an error of the request.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from chalicelib.domain.errors import StorageUnavailable
from chalicelib.dynamodb.calls import storage_errors
from chalicelib.dynamodb.rows import Row, line_key
from chalicelib.parallel import in_parallel

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)


class LineExpiry:
    def __init__(self, client: DynamoDBClient, items_table: str) -> None:
        self._client = client
        self._items = items_table

    def moved(self, cart_id: str, product_id: str, expires_at: Row) -> Row:
        """A transaction's action: the line expires at `expires_at` (if it still exists)."""
        return {"Update": self._update(cart_id, product_id, expires_at)}

    def move(self, cart_id: str, product_ids: Iterable[str], expires_at: Row) -> None:
        """Each line expires at `expires_at`, written in parallel; a line removed meanwhile
        is left alone."""
        moves: list[Callable[[], None]] = [
            functools.partial(self._move, cart_id, pid, expires_at) for pid in product_ids
        ]
        try:
            in_parallel(moves)
        except StorageUnavailable:
            log.warning("cart %s: line expiry not moved along; the next change does it", cart_id)

    def _move(self, cart_id: str, product_id: str, expires_at: Row) -> None:
        with storage_errors():
            try:
                self._client.update_item(**self._update(cart_id, product_id, expires_at))
            except self._client.exceptions.ConditionalCheckFailedException:
                log.info("line %s was removed meanwhile; nothing to move", product_id)

    def _update(self, cart_id: str, product_id: str, expires_at: Row) -> Row:
        return {
            "TableName": self._items,
            "Key": line_key(cart_id, product_id),
            "UpdateExpression": "SET expiresAt = :expiresAt",
            "ConditionExpression": "attribute_exists(cartId)",
            "ExpressionAttributeValues": {":expiresAt": expires_at},
        }
