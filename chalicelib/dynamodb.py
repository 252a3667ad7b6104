"""The DynamoDB adapter: the only module that knows table layouts, keys and expressions.

Layout (the tables themselves are defined once, in infra/tables.json):
  Carts      cartId (pk) | customerId, currency, status, createdAt, updatedAt, version,
                           lineQuantities {productId: quantity}, expiresAt (TTL)
  CartItems  cartId (pk), productId (sk) | name, quantity, addedAt, expiresAt (TTL)
  Products   productId (pk) | name, unitPrice (N), currency

Every change to a cart is one TransactWriteItems: an update of the cart row whose condition
holds the cart's rules, and the change to the line. The cart row keeps `lineQuantities` so
that condition can enforce the 999-per-product and 100-line limits without reading first;
it also lets a read notice that its GetItem and Query saw different moments (and read
again), and gives delete the lines' keys.

Transient failures: botocore's `standard` retry mode retries throttling and 5xx; a
transaction cancelled by a TransactionConflict (another transaction on the same cart) is
retried here, a bounded number of times with jitter. What still fails becomes
StorageUnavailable (503) or ConcurrentUpdate (409).
"""

from __future__ import annotations

import contextvars
import copy
import functools
import logging
import random
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from chalicelib.cart import (
    ACTIVE,
    CHECKED_OUT,
    MAX_LINES,
    MAX_QUANTITY,
    MERGING,
    Cart,
    CartLine,
    Change,
    Product,
)
from chalicelib.clock import format_precise, format_timestamp, parse_timestamp
from chalicelib.errors import (
    CartNotFound,
    CartServiceError,
    ConcurrentUpdate,
    StorageUnavailable,
)
from chalicelib.money import Money
from chalicelib.repository import CartRepository, ProductRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

Row = dict[str, Any]
T = TypeVar("T")

THROTTLED_RETRY_AFTER_SECONDS = 1
_THROTTLING_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    # Cancellation reason codes inside TransactionCanceledException.
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
}
_BATCH_WRITE_LIMIT = 25
_BATCH_GET_LIMIT = 100
_BATCH_ATTEMPTS = 5
_CONSISTENT_READ_ATTEMPTS = 3
CUSTOMER_INDEX = "byCustomer"
# A merge of up to this many lines fits one transaction: 2 actions for the carts and 2 per
# line, within DynamoDB's 100.
SINGLE_TRANSACTION_MERGE_LINES = 49
# Lines expire this long after their cart, so a line never expires while its cart lives.
LINE_EXPIRY_GRACE = timedelta(days=7)


@functools.cache
def _executor() -> ThreadPoolExecutor:
    """Threads for reads that do not depend on each other (boto3 clients are thread-safe)."""
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="dynamodb")


def _in_background(call: Callable[..., T], *args: Any) -> Future[T]:
    """Start `call` on another thread, in a copy of this context (log lines keep the request id)."""
    return _executor().submit(contextvars.copy_context().run, call, *args)


def _in_parallel(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls at once; their results in order."""
    if not calls:
        return []
    futures = [_in_background(call) for call in calls[1:]]
    try:
        first = calls[0]()
    finally:
        wait(futures)
    return [first, *(future.result() for future in futures)]


def is_transient(error: BaseException) -> bool:
    """Throttling, a 5xx or a network failure: worth a retry later, not a bug."""
    if isinstance(error, (BotocoreConnectionError, HTTPClientError)):
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in _THROTTLING_CODES or status >= 500
    return False


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn throttling, 5xx and network failures that outlived botocore's retries into 503s."""
    try:
        yield
    except (BotocoreConnectionError, HTTPClientError, ClientError) as error:
        if not is_transient(error):
            raise
        log.warning("DynamoDB throttled or unreachable after retries: %s", error)
        raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS) from error


def _chunks(values: list[T], size: int) -> list[list[T]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _backoff(attempt: int, base: float = 0.025, cap: float = 0.5) -> None:
    """Full-jitter exponential backoff."""
    time.sleep(random.uniform(0, min(cap, base * 2**attempt)))


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

    # -- reads -------------------------------------------------------------------------------

    def get(self, cart_id: str, now: datetime) -> Cart:
        row, items = self._consistent_read(cart_id)
        cart = _cart_from(row, _lines_from_items(items))
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
            if _line_quantities(row) == _item_quantities(items):
                break
            log.info("cart %s changed while being read; reading it again", cart_id)
            row, items = self._read(cart_id)
        return row, items

    def _read(self, cart_id: str) -> tuple[Row, list[Row]]:
        items = _in_background(self._line_rows, cart_id)
        try:
            with storage_errors():
                response = self._client.get_item(
                    TableName=self._carts, Key=_cart_key(cart_id), ConsistentRead=True
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

    # -- writes ------------------------------------------------------------------------------

    def create(self, cart: Cart) -> None:
        with storage_errors():
            self._client.put_item(
                TableName=self._carts,
                Item={
                    "cartId": {"S": cart.cart_id},
                    "customerId": {"S": cart.customer_id},
                    "currency": {"S": cart.currency},
                    "status": {"S": cart.status},
                    "createdAt": {"S": format_timestamp(cart.created_at)},
                    "updatedAt": {"S": format_timestamp(cart.updated_at)},
                    "expiresAt": _epoch(cart.expires_at),
                    "version": {"N": str(cart.version)},
                    "lineQuantities": {"M": {}},
                },
                ConditionExpression="attribute_not_exists(cartId)",
            )

    def add_line(self, cart_id: str, product: Product, quantity: int, change: Change) -> Cart:
        pid = product.product_id
        cart_update = self._cart_update(
            cart_id,
            change,
            set_line="lineQuantities.#pid = if_not_exists(lineQuantities.#pid, :zero) + :quantity",
            condition=(
                "currency = :currency AND ("
                "(attribute_exists(lineQuantities.#pid) AND lineQuantities.#pid <= :room)"
                " OR (attribute_not_exists(lineQuantities.#pid)"
                " AND size(lineQuantities) < :maxLines))"
            ),
            names={"#pid": pid},
            values={
                ":zero": {"N": "0"},
                ":quantity": {"N": str(quantity)},
                ":currency": {"S": product.currency},
                ":room": {"N": str(MAX_QUANTITY - quantity)},
                ":maxLines": {"N": str(MAX_LINES)},
            },
        )
        line_update = {
            "Update": {
                "TableName": self._items,
                "Key": _line_key(cart_id, pid),
                "UpdateExpression": "SET #name = :name, addedAt = if_not_exists(addedAt, :now),"
                " expiresAt = :expiresAt ADD quantity :quantity",
                "ExpressionAttributeNames": {"#name": "name"},
                "ExpressionAttributeValues": {
                    ":name": {"S": product.name},
                    ":now": {"S": format_precise(change.now)},
                    ":expiresAt": _epoch(change.expires_at + LINE_EXPIRY_GRACE),
                    ":quantity": {"N": str(quantity)},
                },
            }
        }

        def refusal(cart: Cart) -> None:
            cart.add(product, quantity, change)

        self._transact(cart_id, [cart_update, line_update], refusal)
        return self._after_change(cart_id)

    def set_quantity(self, cart_id: str, product_id: str, quantity: int, change: Change) -> Cart:
        names = {"#pid": product_id}
        line_key = _line_key(cart_id, product_id)
        line_change: dict[str, Any]
        if quantity == 0:
            cart_update = self._cart_update(
                cart_id,
                change,
                remove_line="lineQuantities.#pid",
                condition="attribute_exists(lineQuantities.#pid)",
                names=names,
                values={},
            )
            line_change = {"Delete": {"TableName": self._items, "Key": line_key}}
        else:
            cart_update = self._cart_update(
                cart_id,
                change,
                set_line="lineQuantities.#pid = :quantity",
                condition="attribute_exists(lineQuantities.#pid)",
                names=names,
                values={":quantity": {"N": str(quantity)}},
            )
            line_change = {
                "Update": {
                    "TableName": self._items,
                    "Key": line_key,
                    "UpdateExpression": "SET quantity = :quantity, expiresAt = :expiresAt",
                    "ExpressionAttributeValues": {
                        ":quantity": {"N": str(quantity)},
                        ":expiresAt": _epoch(change.expires_at + LINE_EXPIRY_GRACE),
                    },
                }
            }

        def refusal(cart: Cart) -> None:
            cart.set_quantity(product_id, quantity, change)

        self._transact(cart_id, [cart_update, line_change], refusal)
        return self._after_change(cart_id)

    def delete(self, cart_id: str, change: Change) -> None:
        """Delete the cart row (the moment the cart is gone), then its lines in batches.

        The row's delete returns its `lineQuantities`, which names every line: a concurrent
        add either committed before (its line is in the map) or fails on the missing row, so
        no line is left behind. The batches of up to 25 run in parallel.
        """

        def refusal(cart: Cart) -> None:
            cart.check(change)

        condition, names, values = _cart_condition(change)
        with storage_errors():
            try:
                response = self._client.delete_item(
                    TableName=self._carts,
                    Key=_cart_key(cart_id),
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_OLD",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except self._client.exceptions.ConditionalCheckFailedException as error:
                raise _refusal_error(cart_id, error.response.get("Item"), refusal) from None
        product_ids = sorted(_line_quantities(response["Attributes"]))
        requests = [{"DeleteRequest": {"Key": _line_key(cart_id, pid)}} for pid in product_ids]
        batches = _chunks(requests, _BATCH_WRITE_LIMIT)
        if not batches:
            return
        try:
            _in_parallel([functools.partial(self._write_batch, batch) for batch in batches])
        except StorageUnavailable:
            # The cart is already gone (its row was the commit point), so the request has
            # succeeded; lines that could not be deleted are unreachable, and their TTL
            # removes them.
            log.error("cart %s deleted; some of its %d lines were left", cart_id, len(requests))

    def _write_batch(self, requests: list[Row]) -> None:
        _batch_write(self._client, self._items, requests)

    # -- the customer's carts, merge, checkout ----------------------------------------------

    def list_for_customer(
        self, customer_id: str, limit: int, after: dict[str, str] | None, now: datetime
    ) -> tuple[list[Cart], dict[str, str] | None]:
        """One page of the `byCustomer` index, newest first; expired carts filtered out (so
        a page can hold fewer than `limit`, and still have a next one)."""
        query: dict[str, Any] = {
            "TableName": self._carts,
            "IndexName": CUSTOMER_INDEX,
            "KeyConditionExpression": "customerId = :customerId",
            "FilterExpression": "expiresAt > :nowEpoch",
            "ExpressionAttributeValues": {
                ":customerId": {"S": customer_id},
                ":nowEpoch": _epoch(now),
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
        carts = [_cart_from(row, _lines_from_map(row)) for row in page["Items"]]
        last = page.get("LastEvaluatedKey")
        position = (
            {"createdAt": last["createdAt"]["S"], "cartId": last["cartId"]["S"]} if last else None
        )
        return carts, position

    def merge(self, target: Cart, source: Cart, change: Change) -> Cart:
        """One transaction when it fits DynamoDB's 100 actions (up to 49 source lines);
        otherwise in steps that a retry resumes (see _merge_in_steps)."""
        if source.merging_into == target.cart_id and target.merging_from == source.cart_id:
            self._finish_merge(target.cart_id, source.cart_id, change)
            return self._after_change(target.cart_id)
        merged = copy.deepcopy(target)
        merged.merge(source, change)  # the rules: raises before anything is written
        if len(source.lines) <= SINGLE_TRANSACTION_MERGE_LINES:
            self._merge_at_once(target, source, merged, change)
        else:
            self._merge_in_steps(target, source, change)
        return self._after_change(target.cart_id)

    def _merge_at_once(self, target: Cart, source: Cart, merged: Cart, change: Change) -> None:
        target_condition, names, target_values = _pinned(target, change)
        source_condition, _, source_values = _pinned(source, Change(change.now, change.expires_at))
        actions: list[Row] = [
            {
                "Update": {
                    "TableName": self._carts,
                    "Key": _cart_key(target.cart_id),
                    "UpdateExpression": "SET lineQuantities = :lines, updatedAt = :updatedAt,"
                    " expiresAt = :expiresAt ADD version :one",
                    "ConditionExpression": target_condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": {
                        **target_values,
                        ":lines": _quantities_map(merged),
                        ":updatedAt": {"S": format_timestamp(change.now)},
                        ":expiresAt": _epoch(change.expires_at),
                        ":one": {"N": "1"},
                    },
                }
            },
            {
                "Delete": {
                    "TableName": self._carts,
                    "Key": _cart_key(source.cart_id),
                    "ConditionExpression": source_condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": source_values,
                }
            },
        ]
        totals = {line.product_id: line.quantity for line in merged.lines}
        for line in source.lines:
            actions.append(
                self._moved_line(target.cart_id, line, change, total=totals[line.product_id])
            )
            actions.append(
                {
                    "Delete": {
                        "TableName": self._items,
                        "Key": _line_key(source.cart_id, line.product_id),
                    }
                }
            )
        self._transact_pinned(target.cart_id, actions)

    def _merge_in_steps(self, target: Cart, source: Cart, change: Change) -> None:
        """A merge too large for one transaction, as a plan recorded in the two cart rows.

        1. Lock: in one transaction, mark the source MERGING into the target and the target
           as receiving it (mergeFrom); both as read, or nothing happens. Every other change
           to either cart is refused from then on.
        2. Move the source's lines in transactions of up to 49: each deletes a line from the
           source and adds it to the target at once, so a line is always in exactly one cart.
        3. Finish: in one transaction, write the target's line quantities, lift its mark and
           bump its version (once), and delete the source row.
        A crash or throttle anywhere leaves the marks; the retried merge sees them and
        resumes at step 2 with the lines still in the source.
        """
        target_condition, names, target_values = _pinned(target, change)
        source_condition, _, source_values = _pinned(source, Change(change.now, change.expires_at))
        self._transact_pinned(
            target.cart_id,
            [
                {
                    "Update": {
                        "TableName": self._carts,
                        "Key": _cart_key(target.cart_id),
                        "UpdateExpression": "SET mergeFrom = :source",
                        "ConditionExpression": target_condition,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": {
                            **target_values,
                            ":source": {"S": source.cart_id},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": self._carts,
                        "Key": _cart_key(source.cart_id),
                        "UpdateExpression": "SET #status = :merging, mergeInto = :target",
                        "ConditionExpression": source_condition,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": {
                            **source_values,
                            ":merging": {"S": MERGING},
                            ":target": {"S": target.cart_id},
                        },
                    }
                },
            ],
        )
        self._finish_merge(target.cart_id, source.cart_id, change)

    def _finish_merge(self, target_id: str, source_id: str, change: Change) -> None:
        """Steps 2 and 3 of _merge_in_steps, from wherever an earlier attempt stopped."""
        lock_check = {
            "ConditionCheck": {
                "TableName": self._carts,
                "Key": _cart_key(source_id),
                "ConditionExpression": "#status = :merging AND mergeInto = :target",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":merging": {"S": MERGING},
                    ":target": {"S": target_id},
                },
            }
        }
        remaining = _lines_from_items(self._line_rows(source_id))
        for chunk in _chunks(remaining, SINGLE_TRANSACTION_MERGE_LINES):
            actions = [lock_check]
            for line in chunk:
                actions.append(self._moved_line(target_id, line, change))
                actions.append(
                    {
                        "Delete": {
                            "TableName": self._items,
                            "Key": _line_key(source_id, line.product_id),
                        }
                    }
                )
            self._transact_pinned(target_id, actions)
        received = {
            line.product_id: line.quantity for line in _lines_from_items(self._line_rows(target_id))
        }
        self._transact_pinned(
            target_id,
            [
                {
                    "Update": {
                        "TableName": self._carts,
                        "Key": _cart_key(target_id),
                        "UpdateExpression": "SET lineQuantities = :lines, updatedAt = :updatedAt,"
                        " expiresAt = :expiresAt REMOVE mergeFrom ADD version :one",
                        "ConditionExpression": "mergeFrom = :source",
                        "ExpressionAttributeValues": {
                            ":lines": {"M": {pid: {"N": str(q)} for pid, q in received.items()}},
                            ":updatedAt": {"S": format_timestamp(change.now)},
                            ":expiresAt": _epoch(change.expires_at),
                            ":one": {"N": "1"},
                            ":source": {"S": source_id},
                        },
                    }
                },
                {"Delete": {**lock_check["ConditionCheck"], "Key": _cart_key(source_id)}},
            ],
        )

    def _moved_line(
        self, target_id: str, line: CartLine, change: Change, total: int | None = None
    ) -> Row:
        """The target's half of moving a line: its new quantity (`total` when known, else
        added to whatever the target holds), keeping the earliest time it was added."""
        quantity = (
            "quantity = :quantity"
            if total is not None
            else ("quantity = if_not_exists(quantity, :zero) + :quantity")
        )
        values: dict[str, Any] = {
            ":quantity": {"N": str(total if total is not None else line.quantity)},
            ":name": {"S": line.name},
            ":addedAt": {"S": format_precise(line.added_at)},
            ":expiresAt": _epoch(change.expires_at + LINE_EXPIRY_GRACE),
        }
        if total is None:
            values[":zero"] = {"N": "0"}
        return {
            "Update": {
                "TableName": self._items,
                "Key": _line_key(target_id, line.product_id),
                "UpdateExpression": f"SET {quantity}, #name = :name,"
                " addedAt = if_not_exists(addedAt, :addedAt), expiresAt = :expiresAt",
                "ExpressionAttributeNames": {"#name": "name"},
                "ExpressionAttributeValues": values,
            }
        }

    def check_out(self, cart: Cart, catalog: Mapping[str, Product], change: Change) -> Cart:
        """Freeze the prices onto the cart row, as read (so they are the prices of exactly
        its lines): one UpdateItem however many lines, the lines themselves untouched."""
        checked_out = copy.deepcopy(cart)
        checked_out.check_out(dict(catalog), change)  # the rules: raises before any write
        condition, names, values = _pinned(cart, change)
        prices = {
            pid: {"N": str(price.amount)} for pid, price in checked_out.checkout_prices.items()
        }
        with storage_errors():
            try:
                self._client.update_item(
                    TableName=self._carts,
                    Key=_cart_key(cart.cart_id),
                    UpdateExpression="SET #status = :checkedOut, checkoutPrices = :prices,"
                    " updatedAt = :updatedAt, expiresAt = :expiresAt ADD version :one",
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={
                        **values,
                        ":checkedOut": {"S": CHECKED_OUT},
                        ":prices": {"M": prices},
                        ":updatedAt": {"S": format_timestamp(change.now)},
                        ":expiresAt": _epoch(change.expires_at),
                        ":one": {"N": "1"},
                    },
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                raise ConcurrentUpdate(cart.cart_id) from None
        return self._after_change(cart.cart_id)

    def _transact_pinned(self, cart_id: str, actions: list[Row]) -> None:
        """A transaction on carts as read: a failed condition means they changed since
        (the caller reads them again), a conflict is retried, throttling is a 503."""
        self._transact(cart_id, actions, refusal=None)

    # -- helpers -----------------------------------------------------------------------------

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
        refreshed = _epoch(_from_epoch(cart_expiry) + LINE_EXPIRY_GRACE)
        _in_parallel([functools.partial(self._refresh_expiry, item, refreshed) for item in stale])
        return _cart_from(row, _lines_from_items(items))

    def _refresh_expiry(self, item: Row, expires_at: Row) -> None:
        with storage_errors():
            try:
                self._client.update_item(
                    TableName=self._items,
                    Key=_line_key(item["cartId"]["S"], item["productId"]["S"]),
                    UpdateExpression="SET expiresAt = :expiresAt",
                    ConditionExpression="attribute_exists(cartId)",
                    ExpressionAttributeValues={":expiresAt": expires_at},
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                log.info("line %s was removed meanwhile; nothing to refresh", item["productId"])

    def _cart_update(
        self,
        cart_id: str,
        change: Change,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
        set_line: str | None = None,
        remove_line: str | None = None,
    ) -> Row:
        """The cart row's half of every change: its rules as the condition, its version + 1."""
        common_condition, common_names, common_values = _cart_condition(change)
        update = "SET updatedAt = :updatedAt, expiresAt = :expiresAt" + (
            f", {set_line}" if set_line else ""
        )
        if remove_line:
            update += f" REMOVE {remove_line}"
        update += " ADD version :one"
        return {
            "Update": {
                "TableName": self._carts,
                "Key": _cart_key(cart_id),
                "UpdateExpression": update,
                "ConditionExpression": f"{common_condition} AND {condition}",
                "ExpressionAttributeNames": {**names, **common_names},
                "ExpressionAttributeValues": {
                    **values,
                    **common_values,
                    ":updatedAt": {"S": format_timestamp(change.now)},
                    ":expiresAt": _epoch(change.expires_at),
                    ":one": {"N": "1"},
                },
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _transact(
        self, cart_id: str, actions: list[Row], refusal: Callable[[Cart], None] | None
    ) -> None:
        """Run one cart change; on a failed condition, say which rule refused it.

        `refusal` replays the change on the cart row as it was (returned with the
        cancellation), so the domain model, not a copy of its rules here, names the error.
        Without one, the change was decided on carts as read, and a failed condition means
        they changed since: ConcurrentUpdate, for the caller to read them again.
        """
        for attempt in range(self._conflict_attempts):
            if attempt:
                _backoff(attempt)
            try:
                with storage_errors():
                    self._client.transact_write_items(TransactItems=cast(Any, actions))
                return
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                codes = {reason.get("Code") for reason in reasons}
                if "ConditionalCheckFailed" in codes:
                    if refusal is None:
                        raise ConcurrentUpdate(cart_id) from None
                    raise _refusal_error(cart_id, reasons[0].get("Item"), refusal) from None
                if codes & _THROTTLING_CODES:
                    raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS) from error
                if "TransactionConflict" not in codes:
                    raise
                log.info("transaction on cart %s conflicted (attempt %d)", cart_id, attempt + 1)
        raise ConcurrentUpdate(cart_id)


def _quantities_map(cart: Cart) -> Row:
    return {"M": {line.product_id: {"N": str(line.quantity)} for line in cart.lines}}


def _cart_condition(change: Change) -> tuple[str, dict[str, str], dict[str, Any]]:
    """What every change requires of the cart row: it exists, is not expired, is active and
    not receiving another cart's lines, and is at the version the client named (If-Match),
    if it named one. Condition, attribute names, attribute values."""
    condition = (
        "attribute_exists(cartId) AND expiresAt > :nowEpoch AND #status = :active"
        " AND attribute_not_exists(mergeFrom)"
    )
    values: dict[str, Any] = {":nowEpoch": _epoch(change.now), ":active": {"S": ACTIVE}}
    if change.expected_version is not None:
        condition += " AND version = :expectedVersion"
        values[":expectedVersion"] = {"N": str(change.expected_version)}
    return condition, {"#status": "status"}, values


def _pinned(cart: Cart, change: Change) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The cart row as it was read, and still changeable: what a change decided on a read
    (a merge, a checkout) requires."""
    condition, names, values = _cart_condition(change)
    values = {**values, ":readVersion": {"N": str(cart.version)}}
    return f"{condition} AND version = :readVersion", names, values


class DynamoProductRepository(ProductRepository):
    def __init__(self, client: DynamoDBClient, products_table: str) -> None:
        self._client = client
        self._table = products_table

    def get_many(self, product_ids: Collection[str]) -> dict[str, Product]:
        """BatchGetItem in chunks of 100, run in parallel, unprocessed keys retried."""
        chunks = _chunks(sorted(set(product_ids)), _BATCH_GET_LIMIT)
        found: dict[str, Product] = {}
        for rows in _in_parallel([functools.partial(self._get_chunk, c) for c in chunks]):
            found.update((row["productId"]["S"], _product_from(row)) for row in rows)
        return found

    def _get_chunk(self, product_ids: list[str]) -> list[Row]:
        request: Any = {self._table: {"Keys": [{"productId": {"S": pid}} for pid in product_ids]}}
        rows: list[Row] = []
        for attempt in range(_BATCH_ATTEMPTS):
            if attempt:
                _backoff(attempt)
            with storage_errors():
                response = self._client.batch_get_item(RequestItems=request)
            rows.extend(response["Responses"].get(self._table, []))
            request = response.get("UnprocessedKeys")
            if not request:
                return rows
        raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS)

    def put_many(self, products: Iterable[Product]) -> None:
        requests = [{"PutRequest": {"Item": _product_row(product)}} for product in products]
        for batch in _chunks(requests, _BATCH_WRITE_LIMIT):
            _batch_write(self._client, self._table, batch)


def _batch_write(client: DynamoDBClient, table: str, requests: list[Row]) -> None:
    """BatchWriteItem, retrying unprocessed items (which botocore's retries do not cover)."""
    pending: Any = {table: requests}
    for attempt in range(_BATCH_ATTEMPTS):
        if attempt:
            _backoff(attempt)
        with storage_errors():
            response = client.batch_write_item(RequestItems=pending)
        pending = response.get("UnprocessedItems")
        if not pending:
            return
    raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS)


def _refusal_error(
    cart_id: str, old_row: Row | None, refusal: Callable[[Cart], None]
) -> CartServiceError:
    """The domain error that the change, replayed on the row as it was, raises."""
    if old_row is None:
        return CartNotFound(cart_id)
    try:
        refusal(_cart_from(old_row, _lines_from_map(old_row)))
    except CartServiceError as error:
        return error
    # The row as it was allows the change: the condition saw a state that has since moved on.
    return ConcurrentUpdate(cart_id)


def _cart_key(cart_id: str) -> Row:
    return {"cartId": {"S": cart_id}}


def _line_key(cart_id: str, product_id: str) -> Row:
    return {"cartId": {"S": cart_id}, "productId": {"S": product_id}}


def _line_quantities(row: Row) -> dict[str, int]:
    return {pid: int(value["N"]) for pid, value in row["lineQuantities"]["M"].items()}


def _item_quantities(items: list[Row]) -> dict[str, int]:
    return {item["productId"]["S"]: int(item["quantity"]["N"]) for item in items}


def _epoch(moment: datetime) -> Row:
    """A TTL attribute: whole seconds since the epoch."""
    return {"N": str(int(moment.timestamp()))}


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _lines_from_items(items: list[Row]) -> list[CartLine]:
    """Line rows as lines, in the order their product was first added."""
    lines = [
        CartLine(
            product_id=item["productId"]["S"],
            name=item["name"]["S"],
            quantity=int(item["quantity"]["N"]),
            added_at=parse_timestamp(item["addedAt"]["S"]),
        )
        for item in items
    ]
    return sorted(lines, key=lambda line: (line.added_at, line.product_id))


def _lines_from_map(row: Row) -> list[CartLine]:
    """The lines as the cart row alone knows them: enough to check the cart's rules."""
    created_at = parse_timestamp(row["createdAt"]["S"])
    return [CartLine(pid, "", qty, created_at) for pid, qty in _line_quantities(row).items()]


def _cart_from(row: Row, lines: list[CartLine]) -> Cart:
    return Cart(
        cart_id=row["cartId"]["S"],
        customer_id=row["customerId"]["S"],
        currency=row["currency"]["S"],
        created_at=parse_timestamp(row["createdAt"]["S"]),
        updated_at=parse_timestamp(row["updatedAt"]["S"]),
        expires_at=_from_epoch(int(row["expiresAt"]["N"])),
        status=row["status"]["S"],
        version=int(row["version"]["N"]),
        lines=lines,
        checkout_prices={
            pid: Money(Decimal(price["N"]), row["currency"]["S"])
            for pid, price in row.get("checkoutPrices", {}).get("M", {}).items()
        },
        merging_from=row.get("mergeFrom", {}).get("S"),
        merging_into=row.get("mergeInto", {}).get("S"),
    )


def _product_row(product: Product) -> Row:
    return {
        "productId": {"S": product.product_id},
        "name": {"S": product.name},
        "unitPrice": {"N": str(product.unit_price.amount)},
        "currency": {"S": product.currency},
    }


def _product_from(row: Row) -> Product:
    # DynamoDB drops trailing zeros of numbers ("19.90" comes back as "19.9"); Money.format
    # restores the currency's digits.
    return Product(
        product_id=row["productId"]["S"],
        name=row["name"]["S"],
        unit_price=Money(Decimal(row["unitPrice"]["N"]), row["currency"]["S"]),
    )
