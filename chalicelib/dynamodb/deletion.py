"""Deleting a cart: its row marked DELETED (the commit point), then its lines and the row
removed in one round trip."""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from chalicelib.domain import events
from chalicelib.domain.cart import DELETED
from chalicelib.domain.change import Change
from chalicelib.domain.errors import StorageUnavailable
from chalicelib.dynamodb.calls import (
    BATCH_WRITE_LIMIT,
    batch_write,
    chunks,
    refusal_error,
    storage_errors,
)
from chalicelib.dynamodb.expressions import cart_update, changeable, refusing, written_by
from chalicelib.dynamodb.holds import DynamoHoldSweep
from chalicelib.dynamodb.reads import CartReads
from chalicelib.dynamodb.rows import Row, cart_key, line_key, line_quantities
from chalicelib.dynamodb.transactions import CartTransactions
from chalicelib.parallel import in_parallel

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)


class CartDeletion:
    def __init__(
        self,
        client: DynamoDBClient,
        carts_table: str,
        items_table: str,
        reads: CartReads,
        transactions: CartTransactions,
        holds: DynamoHoldSweep,
    ) -> None:
        self._client = client
        self._carts = carts_table
        self._items = items_table
        self._reads = reads
        self._transactions = transactions
        self._holds = holds

    def run(self, cart_id: str, change: Change, lines: Collection[str] | None = None) -> None:
        """Mark the cart row DELETED (the moment the cart is gone), then delete its lines
        and the row.

        The marked row names the change that deleted it, so that the mark retried by
        botocore after a lost answer recognises its own success; it is deleted in the same
        round trip as the lines (or expires: it is already past its expiry). Its
        lineQuantities name every line: a concurrent add either committed before (its line
        is in the map) or fails on the deleted row, so no line is left behind. The deletes
        run in batches of up to 25, in parallel.

        A cart holding units gives them back first (then its row is deleted); a keyed
        delete, whose transaction returns no row, leaves its row to the sweep of lapsed
        holds, which the mark puts it in the way of at once (holdsLapseAt now).
        """
        gone = change._replace(expires_at=change.now.replace(microsecond=0))
        tombstone = cart_update(
            self._carts,
            cart_id,
            gone,
            changeable(change),
            events.CART_DELETED,
            set_="#status = :deleted, lastChange = :changeId, holdsLapseAt = :now",
            values={
                ":deleted": {"S": DELETED},
                ":changeId": {"S": change.change_id},
                ":now": {"N": str(int(change.now.timestamp()))},
            },
        )
        if change.receipt is not None:
            self._transactions.run(
                cart_id, [refusing(tombstone)], lambda c: c.check(change), change
            )
            # A keyed mark's transaction returns no row: its lines are the ones the caller
            # read at the version the change is pinned to, or are read now.
            product_ids, held = (sorted(lines) if lines is not None else None), None
        else:
            marked = self._tombstone(cart_id, tombstone, change)
            product_ids = sorted(line_quantities(marked))
            held = marked if "holds" in marked else None
        try:
            if held is not None:  # before the row goes: its holds' units back first
                self._holds.release(held, change.now)
            if product_ids is None:
                product_ids = [item["productId"]["S"] for item in self._reads.line_rows(cart_id)]
            requests = [{"DeleteRequest": {"Key": line_key(cart_id, pid)}} for pid in product_ids]
            batches = chunks(requests, BATCH_WRITE_LIMIT)
            deletes = [
                functools.partial(batch_write, self._client, self._items, b) for b in batches
            ]
            in_parallel([functools.partial(self._forget, cart_id, change), *deletes])
        except (StorageUnavailable, ClientError) as failure:
            # The cart is already gone (its row was the commit point), so the request has
            # succeeded, whatever failed now; rows that could not be deleted are
            # unreachable, and TTL removes them (a row still holding units stays for the
            # sweep of lapsed holds, which the mark put it in the way of).
            log.error("cart %s deleted; some of its rows were left: %s", cart_id, failure)

    def _forget(self, cart_id: str, change: Change) -> None:
        """Delete the deleted cart's row, if it is still this change's."""
        with storage_errors():
            try:
                self._client.delete_item(
                    TableName=self._carts,
                    Key=cart_key(cart_id),
                    ConditionExpression="lastChange = :changeId AND attribute_not_exists(holds)",
                    ExpressionAttributeValues={":changeId": {"S": change.change_id}},
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                log.info("cart %s: its deleted row was removed, or holds units still", cart_id)

    def _tombstone(self, cart_id: str, update: Row, change: Change) -> Row:
        """Write the deleted cart's row; the row as the mark left it, or, when botocore
        retried the mark after its answer was lost, as it is now (the sweep of lapsed holds
        may have given back its units since, at a later version: the release of the row
        as it was marked then fails its condition, and gives nothing back twice)."""
        with storage_errors():
            try:
                response = self._client.update_item(
                    **update, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD"
                )
            except self._client.exceptions.ConditionalCheckFailedException as error:
                now = error.response.get("Item")
                if now is not None and written_by(now, change):
                    return dict(now)  # this delete, retried by botocore: its answer was lost
                raise refusal_error(cart_id, now, lambda cart: cart.check(change)) from None
        return dict(response["Attributes"])
