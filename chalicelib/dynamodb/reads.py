"""Reading carts from DynamoDB: a cart with its lines, a customer's carts, merges in progress.

A cart is its row in Carts and its line rows in CartItems, read in parallel (one round trip).
The two reads are not one snapshot, so they are checked against each other: the row keeps
`lineQuantities`, and when the lines read disagree with it, a write landed in between.
"""

from __future__ import annotations

import logging
from concurrent.futures import wait
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.cart import ACTIVE, DELETED, Cart
from chalicelib.domain.clock import format_timestamp
from chalicelib.domain.errors import CartNotFound
from chalicelib.dynamodb.calls import conflict, query_pages, storage_errors
from chalicelib.dynamodb.rows import (
    Row,
    cart_from,
    cart_key,
    epoch,
    item_quantities,
    line_quantities,
    lines_from_items,
    lines_from_map,
)
from chalicelib.dynamodb.tables import CUSTOMER_INDEX, MERGE_INDEX, MERGE_LOCK
from chalicelib.parallel import in_background

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

_CONSISTENT_READ_ATTEMPTS = 3


def _moving_lines(row: Row) -> bool:
    """A cart in a merge in steps: its lines move while its row keeps the quantities of
    before, until the merge's last step (which decides on the lines alone)."""
    return "mergeFrom" in row or "mergeInto" in row


class CartReads:
    def __init__(
        self, client: DynamoDBClient, carts_table: str, items_table: str, page_size: int | None
    ) -> None:
        self._client = client
        self._carts = carts_table
        self._items = items_table
        self._page_size = page_size

    def cart(self, cart_id: str, now: datetime, decisive: bool = False) -> Cart:
        """The cart, or CartNotFound if missing, expired or deleted. `decisive`: for a
        change decided on what is read (merge, checkout), row and lines at one version or
        ConcurrentUpdate; otherwise, under a storm of writes, the last read as it is."""
        row, items = self.rows(cart_id, decisive)
        cart = cart_from(row, lines_from_items(items))
        if cart.is_expired(now) or cart.status == DELETED:  # until DynamoDB's TTL deletes it
            raise CartNotFound(cart_id)
        return cart

    def rows(self, cart_id: str, decisive: bool = False) -> tuple[Row, list[Row]]:
        """The cart row and its line rows, agreeing with each other, read again when not."""
        for attempt in range(_CONSISTENT_READ_ATTEMPTS):
            row, items = self._read(cart_id)
            if _moving_lines(row) or line_quantities(row) == item_quantities(items):
                return row, items
            log.info("cart %s changed while being read (attempt %d)", cart_id, attempt + 1)
        if decisive:
            raise conflict(cart_id)
        return row, items

    def _read(self, cart_id: str) -> tuple[Row, list[Row]]:
        items = in_background(self.line_rows, cart_id)
        try:
            with storage_errors():
                response = self._client.get_item(
                    TableName=self._carts, Key=cart_key(cart_id), ConsistentRead=True
                )
        finally:
            wait([items])  # never leave a read running after the request
        if "Item" not in response:
            raise CartNotFound(cart_id)
        return response["Item"], items.result()

    def line_rows(self, cart_id: str) -> list[Row]:
        """Every line of the cart, following every page of the Query.

        A loop over LastEvaluatedKey rather than botocore's paginator: loading the
        paginator's model costs about 6 ms on the first request of every cold start.
        """
        query: dict[str, Any] = {
            "TableName": self._items,
            "KeyConditionExpression": "cartId = :cartId",
            "ExpressionAttributeValues": {":cartId": {"S": cart_id}},
            "ConsistentRead": True,
        }
        if self._page_size:
            query["Limit"] = self._page_size
        return [item for page in query_pages(self._client, query) for item in page["Items"]]

    def for_customer(
        self, customer_id: str, limit: int, after: dict[str, str] | None, now: datetime
    ) -> tuple[list[Cart], dict[str, str] | None]:
        """One page of the customer index, newest first; expired carts filtered out (so
        a page can hold fewer than `limit`, and still have a next one)."""
        query: dict[str, Any] = {
            "TableName": self._carts,
            "IndexName": CUSTOMER_INDEX,
            "KeyConditionExpression": "customerId = :customerId",
            "FilterExpression": "expiresAt > :nowEpoch",
            "ExpressionAttributeValues": {
                ":customerId": {"S": customer_id},
                ":nowEpoch": epoch(now),
            },
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if after is not None:
            query["ExclusiveStartKey"] = {
                "customerId": {"S": customer_id},
                "createdAt": {"S": after["createdAt"]},
                "cartId": {"S": after["cartId"]},
            }
        with storage_errors():
            page = self._client.query(**query)
        carts = [cart_from(row, lines_from_map(row)) for row in page["Items"]]
        last = page.get("LastEvaluatedKey")
        position = (
            {"createdAt": last["createdAt"]["S"], "cartId": last["cartId"]["S"]} if last else None
        )
        return carts, position

    def count_active(self, customer_id: str, now: datetime) -> int:
        """The customer's active, unexpired carts, counted on the customer index."""
        query: dict[str, Any] = {
            "TableName": self._carts,
            "IndexName": CUSTOMER_INDEX,
            "KeyConditionExpression": "customerId = :customerId",
            "FilterExpression": "expiresAt > :nowEpoch AND #status = :active",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":customerId": {"S": customer_id},
                ":nowEpoch": epoch(now),
                ":active": {"S": ACTIVE},
            },
            "Select": "COUNT",
        }
        return sum(page["Count"] for page in query_pages(self._client, query))

    def merges_started_before(self, moment: datetime) -> list[str]:
        """The targets of merges in steps that started before `moment`: the sparse index
        holds only carts receiving a merge, so this reads nothing else."""
        query: dict[str, Any] = {
            "TableName": self._carts,
            "IndexName": MERGE_INDEX,
            "KeyConditionExpression": "mergeLock = :lock AND mergeStartedAt < :moment",
            "ExpressionAttributeValues": {
                ":lock": {"S": MERGE_LOCK},
                ":moment": {"S": format_timestamp(moment)},
            },
        }
        return [
            row["cartId"]["S"] for page in query_pages(self._client, query) for row in page["Items"]
        ]
