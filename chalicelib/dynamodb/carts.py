"""The cart repository on DynamoDB: the Carts and CartItems tables.

Every change to a cart is one TransactWriteItems: an update of the cart row whose condition
holds the cart's rules (see expressions.py), and the change to the line. The cart row keeps
`lineQuantities`, which also lets a read notice that its GetItem and Query saw different
moments (and read again), and gives delete the lines' keys. Merges are in merge.py.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Mapping
from concurrent.futures import wait
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.cart import (
    ACTIVE,
    CHECKED_OUT,
    MAX_LINES,
    MAX_QUANTITY,
    Cart,
    CartLine,
    Change,
    Product,
)
from chalicelib.domain.errors import CartNotFound, ConcurrentUpdate, StorageUnavailable
from chalicelib.dynamodb.calls import (
    BATCH_WRITE_LIMIT,
    Refusal,
    batch_write,
    chunks,
    in_background,
    in_parallel,
    refusal_error,
    storage_errors,
    transact,
)
from chalicelib.dynamodb.expressions import (
    LINE_EXPIRY_GRACE,
    added_line,
    cart_update,
    changeable,
    deleted_line,
    line_expiry,
    pinned,
)
from chalicelib.dynamodb.merge import CartMerge
from chalicelib.dynamodb.rows import (
    Row,
    cart_from,
    cart_key,
    epoch,
    from_epoch,
    item_quantities,
    line_key,
    line_quantities,
    lines_from_items,
    lines_from_map,
    new_cart_row,
)
from chalicelib.dynamodb.tables import CUSTOMER_INDEX
from chalicelib.service.ports import CartRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

_CONSISTENT_READ_ATTEMPTS = 3


class DynamoCartRepository(CartRepository):
    def __init__(
        self,
        client: DynamoDBClient,
        carts_table: str,
        items_table: str,
        conflict_attempts: int = 4,
        page_size: int | None = None,
    ) -> None:
        self._client = client
        self._carts = carts_table
        self._items = items_table
        self._conflict_attempts = conflict_attempts
        self._page_size = page_size
        self._merge = CartMerge(carts_table, items_table, self._line_rows, self._transact)

    # -- reads -------------------------------------------------------------------------------

    def get(self, cart_id: str, now: datetime) -> Cart:
        row, items = self._consistent_read(cart_id)
        cart = cart_from(row, lines_from_items(items))
        if cart.is_expired(now):  # until DynamoDB's TTL deletes it
            raise CartNotFound(cart_id)
        return cart

    def _consistent_read(self, cart_id: str) -> tuple[Row, list[Row]]:
        """The cart row and its line rows, read in parallel: one round trip.

        The two reads are not one snapshot, so they are checked against each other: when the
        row's line quantities differ from the lines read, a write landed in between and the
        cart is read again. After a few tries (a cart under a storm of writes) the last read
        is returned as it is.
        """
        row, items = self._read(cart_id)
        for _ in range(_CONSISTENT_READ_ATTEMPTS - 1):
            if line_quantities(row) == item_quantities(items):
                break
            log.info("cart %s changed while being read; reading it again", cart_id)
            row, items = self._read(cart_id)
        return row, items

    def _read(self, cart_id: str) -> tuple[Row, list[Row]]:
        items = in_background(self._line_rows, cart_id)
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

    def _line_rows(self, cart_id: str) -> list[Row]:
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
        items: list[Row] = []
        with storage_errors():
            while True:
                page = self._client.query(**query)
                items.extend(page["Items"])
                if "LastEvaluatedKey" not in page:
                    return items
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def list_for_customer(
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
        count = 0
        with storage_errors():
            while True:
                page = self._client.query(**query)
                count += page["Count"]
                if "LastEvaluatedKey" not in page:
                    return count
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- changes -----------------------------------------------------------------------------

    def create(self, cart: Cart) -> None:
        with storage_errors():
            self._client.put_item(
                TableName=self._carts,
                Item=new_cart_row(cart),
                ConditionExpression="attribute_not_exists(cartId)",
            )

    def add_line(self, cart_id: str, product: Product, quantity: int, change: Change) -> Cart:
        condition = changeable(change).and_(
            "currency = :currency AND ("
            "(attribute_exists(lineQuantities.#pid) AND lineQuantities.#pid <= :room)"
            " OR (attribute_not_exists(lineQuantities.#pid)"
            " AND size(lineQuantities) < :maxLines))",
            {"#pid": product.product_id},
            {
                ":currency": {"S": product.currency},
                ":room": {"N": str(MAX_QUANTITY - quantity)},
                ":maxLines": {"N": str(MAX_LINES)},
            },
        )
        row_update = cart_update(
            self._carts,
            cart_id,
            change,
            condition,
            set_="lineQuantities.#pid = if_not_exists(lineQuantities.#pid, :zero) + :quantity",
            values={":zero": {"N": "0"}, ":quantity": {"N": str(quantity)}},
        )
        line = CartLine(product.product_id, product.name, quantity, change.now)
        line_update = added_line(self._items, cart_id, line, change, total=None)

        def refusal(cart: Cart) -> None:
            cart.add(product, quantity, change)

        self._transact(cart_id, [_refusing(row_update), line_update], refusal)
        return self._after_change(cart_id)

    def set_quantity(self, cart_id: str, product_id: str, quantity: int, change: Change) -> Cart:
        condition = changeable(change).and_(
            "attribute_exists(lineQuantities.#pid)", {"#pid": product_id}, {}
        )
        line_change: Row
        if quantity == 0:
            row_update = cart_update(
                self._carts, cart_id, change, condition, remove="lineQuantities.#pid"
            )
            line_change = deleted_line(self._items, cart_id, product_id)
        else:
            row_update = cart_update(
                self._carts,
                cart_id,
                change,
                condition,
                set_="lineQuantities.#pid = :quantity",
                values={":quantity": {"N": str(quantity)}},
            )
            line_change = {
                "Update": {
                    "TableName": self._items,
                    "Key": line_key(cart_id, product_id),
                    "UpdateExpression": "SET quantity = :quantity, expiresAt = :expiresAt",
                    "ExpressionAttributeValues": {
                        ":quantity": {"N": str(quantity)},
                        ":expiresAt": line_expiry(change),
                    },
                }
            }

        def refusal(cart: Cart) -> None:
            cart.set_quantity(product_id, quantity, change)

        self._transact(cart_id, [_refusing(row_update), line_change], refusal)
        return self._after_change(cart_id)

    def delete(self, cart_id: str, change: Change) -> None:
        """Delete the cart row (the moment the cart is gone), then its lines in batches.

        The row's delete returns its `lineQuantities`, which names every line: a concurrent
        add either committed before (its line is in the map) or fails on the missing row, so
        no line is left behind. The batches of up to 25 run in parallel.
        """
        with storage_errors():
            try:
                response = self._client.delete_item(
                    TableName=self._carts,
                    Key=cart_key(cart_id),
                    **changeable(change),
                    ReturnValues="ALL_OLD",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as error:
                raise refusal_error(
                    cart_id, error.response.get("Item"), lambda cart: cart.check(change)
                ) from None
        product_ids = sorted(line_quantities(response["Attributes"]))
        requests = [{"DeleteRequest": {"Key": line_key(cart_id, pid)}} for pid in product_ids]
        batches = chunks(requests, BATCH_WRITE_LIMIT)
        if not batches:
            return
        try:
            in_parallel(
                [functools.partial(batch_write, self._client, self._items, b) for b in batches]
            )
        except StorageUnavailable:
            # The cart is already gone (its row was the commit point), so the request has
            # succeeded; lines that could not be deleted are unreachable, and their TTL
            # removes them.
            log.error("cart %s deleted; some of its %d lines were left", cart_id, len(requests))

    def merge(self, target: Cart, source: Cart, change: Change) -> Cart:
        self._merge.run(target, source, change)
        return self._after_change(target.cart_id)

    def check_out(self, cart: Cart, catalog: Mapping[str, Product], change: Change) -> Cart:
        """Freeze the prices onto the cart row, as read (so they are the prices of exactly
        its lines): one UpdateItem however many lines, the lines themselves untouched."""
        checked_out = copy.deepcopy(cart)
        checked_out.check_out(dict(catalog), change)  # the rules: raises before any write
        prices = {
            pid: {"N": str(price.amount)} for pid, price in checked_out.checkout_prices.items()
        }
        update = cart_update(
            self._carts,
            cart.cart_id,
            change,
            pinned(cart, change),
            set_="#status = :checkedOut, checkoutPrices = :prices",
            values={":checkedOut": {"S": CHECKED_OUT}, ":prices": {"M": prices}},
        )
        with storage_errors():
            try:
                self._client.update_item(**update)
            except self._client.exceptions.ConditionalCheckFailedException:
                raise ConcurrentUpdate(cart.cart_id) from None
        return self._after_change(cart.cart_id)

    # -- helpers -----------------------------------------------------------------------------

    def _transact(self, cart_id: str, actions: list[Row], refusal: Refusal | None = None) -> None:
        transact(self._client, cart_id, actions, refusal, self._conflict_attempts)

    def _after_change(self, cart_id: str) -> Cart:
        """The cart as stored after a change, its lines' expiry kept ahead of the cart's.

        A change moves the cart's expiry forward but touches one line. So that no line can
        expire while its cart lives, lines that now expire before the cart are moved to the
        cart's expiry plus LINE_EXPIRY_GRACE: a line is rewritten at most once per grace
        period, only when its cart changes.
        """
        row, items = self._consistent_read(cart_id)
        cart_expiry = int(row["expiresAt"]["N"])
        stale = [item for item in items if int(item["expiresAt"]["N"]) < cart_expiry]
        refreshed = epoch(from_epoch(cart_expiry) + LINE_EXPIRY_GRACE)
        in_parallel([functools.partial(self._refresh_expiry, item, refreshed) for item in stale])
        return cart_from(row, lines_from_items(items))

    def _refresh_expiry(self, item: Row, expires_at: Row) -> None:
        with storage_errors():
            try:
                self._client.update_item(
                    TableName=self._items,
                    Key=line_key(item["cartId"]["S"], item["productId"]["S"]),
                    UpdateExpression="SET expiresAt = :expiresAt",
                    ConditionExpression="attribute_exists(cartId)",
                    ExpressionAttributeValues={":expiresAt": expires_at},
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                log.info("line %s was removed meanwhile; nothing to refresh", item["productId"])


def _refusing(update: Row) -> Row:
    """A transaction's update of the cart row that returns the row as it was when its
    condition fails, for the domain to name the rule."""
    return {"Update": {**update, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}
