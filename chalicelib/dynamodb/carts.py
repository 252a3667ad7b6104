"""The cart repository on DynamoDB: the Carts and CartItems tables.

Every change to a cart commits in one write: a TransactWriteItems (an update of the cart row
whose condition holds the cart's rules, see expressions.py, and the change to the line), or
one conditional write of the cart row. A keyed request's receipt joins that write, which
makes it a transaction. Every commit is safe for botocore to retry after a lost answer: a
transaction by its ClientRequestToken, a single write by recognising its own earlier success
(a new cart's row, `lastChange`). After a commit, the answer is never an error: a cart that
cannot be read back is ChangeApplied. Reads are in reads.py, merges in merge.py.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from chalicelib.domain import events
from chalicelib.domain.cart import DELETED, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import (
    CartNotFound,
    ChangeApplied,
    StorageUnavailable,
)
from chalicelib.domain.holds import HoldChanges, HolderCount
from chalicelib.domain.lines import Attributes, CartLine
from chalicelib.domain.products import Product
from chalicelib.dynamodb.calls import (
    backoff,
    conflict,
    storage_errors,
)
from chalicelib.dynamodb.expressions import (
    LINE_EXPIRY_GRACE,
    added_line,
    cart_update,
    changeable,
    deleted_line,
    has_line,
    refusing,
    room_for,
    set_line,
)
from chalicelib.dynamodb.line_expiry import LineExpiry
from chalicelib.dynamodb.reads import CartReads
from chalicelib.dynamodb.rows import (
    Row,
    cart_from,
    epoch,
    from_epoch,
    lines_from_items,
    new_cart_row,
)
from chalicelib.dynamodb.stock import held_stock
from chalicelib.dynamodb.transactions import CartTransactions
from chalicelib.service.ports import CartRepository, Decided

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from chalicelib.dynamodb import decided, deletion, merge

log = logging.getLogger(__name__)

READ_BACK_ATTEMPTS = 3
"""Reads of a changed cart before the change is answered 202 instead of with the cart."""


class DynamoCartRepository(CartRepository):
    def __init__(
        self,
        client: DynamoDBClient,
        carts_table: str,
        items_table: str,
        receipts_table: str,
        uses_table: str,
        stock_table: str,
        hold_counts_table: str,
        conflict_attempts: int = 4,
        page_size: int | None = None,
    ) -> None:
        self._client = client
        self._carts = carts_table
        self._items = items_table
        self._transactions = CartTransactions(client, receipts_table, conflict_attempts)
        self._reads = CartReads(client, carts_table, items_table, page_size)
        self._line_expiry = LineExpiry(client, items_table)
        self._uses = uses_table
        self._stock = stock_table
        self._hold_counts = hold_counts_table

    # Built on first use, their modules imported then: a cold start that serves a read (or a
    # single-line change) pays for none of them.

    @functools.cached_property
    def _merge(self) -> merge.CartMerge:
        from chalicelib.dynamodb.merge import CartMerge

        tables = (self._carts, self._items, self._hold_counts)
        return CartMerge(*tables, self._reads, self._transactions)

    @functools.cached_property
    def _decided(self) -> decided.DecidedChanges:
        from chalicelib.dynamodb.decided import DecidedChanges

        tables = (self._carts, self._items, self._uses, self._stock, self._hold_counts)
        return DecidedChanges(*tables, self._transactions, self._line_expiry)

    @functools.cached_property
    def _deletion(self) -> deletion.CartDeletion:
        from chalicelib.dynamodb.deletion import CartDeletion
        from chalicelib.dynamodb.holds import DynamoHoldSweep

        tables = (self._carts, self._items)
        holds = DynamoHoldSweep(self._client, self._carts, self._stock, self._hold_counts)
        return CartDeletion(self._client, *tables, self._reads, self._transactions, holds)

    # -- reads -------------------------------------------------------------------------------

    def get(self, cart_id: str, now: datetime) -> Cart:
        return self._reads.cart(cart_id, now)

    def get_for_change(self, cart_id: str, now: datetime) -> Cart:
        return self._reads.cart(cart_id, now, decisive=True)

    def list_for_customer(
        self, customer_id: str, limit: int, after: dict[str, str] | None, now: datetime
    ) -> tuple[list[Cart], dict[str, str] | None]:
        return self._reads.for_customer(customer_id, limit, after, now)

    def count_active(self, customer_id: str, now: datetime) -> int:
        return self._reads.count_active(customer_id, now)

    # -- changes -----------------------------------------------------------------------------

    def create(self, cart: Cart, change: Change, holding: HoldChanges | None = None) -> None:
        row = new_cart_row(cart, change.request_id)
        put: Row = {
            "TableName": self._carts,
            "Item": row,
            "ConditionExpression": "attribute_not_exists(cartId)",
        }
        if change.receipt is not None or cart.lines:
            actions = [{"Put": put}] + [
                added_line(self._items, cart.cart_id, line, change, line.quantity, True)
                for line in cart.lines
            ]
            tables = (self._stock, self._hold_counts, cart.cart_id)
            refusals = held_stock(*tables, holding, actions, change.receipt is not None)
            self._transactions.run(cart.cart_id, actions, change=change, item_refusals=refusals)
            return
        with storage_errors():
            try:
                self._client.put_item(**put, ReturnValuesOnConditionCheckFailure="ALL_OLD")
            except self._client.exceptions.ConditionalCheckFailedException as error:
                # The id is new, so a row under it is this very put, committed by an attempt
                # whose answer was lost and retried by botocore.
                if error.response.get("Item", {}).get("createdAt") != row["createdAt"]:
                    raise conflict(cart.cart_id) from None

    def add_line(
        self,
        cart_id: str,
        product: Product,
        quantity: int,
        change: Change,
        attributes: Attributes | None = None,
    ) -> Cart:
        condition = changeable(change).and_(room_for(product, quantity))
        row_update = cart_update(
            self._carts,
            cart_id,
            change,
            condition,
            events.ITEM_ADDED,
            product.product_id,
            set_="lineQuantities.#pid = if_not_exists(lineQuantities.#pid, :zero) + :quantity",
            values={":zero": {"N": "0"}, ":quantity": {"N": str(quantity)}},
        )
        line = CartLine(
            product.product_id,
            product.name,
            quantity,
            change.now,
            attributes or {},
            product.unit_price.amount,
        )
        line_update = added_line(
            self._items, cart_id, line, change, total=None, replace=attributes is not None
        )

        def refusal(cart: Cart) -> None:
            cart.add(product, quantity, change, attributes)

        self._transactions.run(cart_id, [refusing(row_update), line_update], refusal, change)
        return self._after_change(cart_id)

    def set_quantity(
        self,
        cart_id: str,
        product_id: str,
        quantity: int,
        change: Change,
        attributes: Attributes | None = None,
        price: Decimal | None = None,
    ) -> Cart:
        condition = changeable(change).and_(has_line(product_id))
        line_change: Row
        if quantity == 0:
            row_update = cart_update(
                self._carts,
                cart_id,
                change,
                condition,
                events.ITEM_REMOVED,
                product_id,
                remove="lineQuantities.#pid",
            )
            line_change = deleted_line(self._items, cart_id, product_id)
        else:
            row_update = cart_update(
                self._carts,
                cart_id,
                change,
                condition,
                events.ITEM_QUANTITY_CHANGED,
                product_id,
                set_="lineQuantities.#pid = :quantity",
                values={":quantity": {"N": str(quantity)}},
            )
            line_change = set_line(
                self._items, cart_id, product_id, quantity, change, attributes, price
            )

        def refusal(cart: Cart) -> None:
            cart.set_quantity(product_id, quantity, change, attributes, price)

        self._transactions.run(cart_id, [refusing(row_update), line_change], refusal, change)
        return self._after_change(cart_id)

    def save(self, decided: Decided, change: Change) -> Cart:
        return self._decided.save(decided, change)

    def delete(self, cart_id: str, change: Change, lines: Collection[str] | None = None) -> None:
        self._deletion.run(cart_id, change, lines)

    def merge(
        self,
        target: Cart,
        source: Cart,
        merged: Cart,
        change: Change,
        counts: Sequence[HolderCount] = (),
    ) -> Cart:
        self._merge.run(target, source, merged, change, counts)
        return self._after_change(target.cart_id)

    def finish_merge(self, target_id: str, change: Change) -> bool:
        target = self._reads.cart(target_id, change.now)
        if target.merging_from is None:
            return False  # finished since the index listed it (the index is eventually read)
        self._merge.finish(target, change)
        return True

    def merges_started_before(self, moment: datetime) -> list[str]:
        return self._reads.merges_started_before(moment)

    # -- helpers -----------------------------------------------------------------------------

    def _after_change(self, cart_id: str) -> Cart:
        """The cart as stored after a change, its lines' expiry kept ahead of the cart's.

        The change has committed, so failing to read (for whatever reason DynamoDB gives) is
        not an error: the read is tried a few times, then ChangeApplied (answered 202). A
        change moves the cart's expiry forward but touches one line; so that no line can
        expire while its cart lives, lines that now expire before the cart are moved to the
        cart's expiry plus LINE_EXPIRY_GRACE (a line is rewritten at most once per grace
        period).
        """
        for attempt in range(READ_BACK_ATTEMPTS):
            if attempt:
                backoff(attempt, base=0.1, cap=1.0)
            try:
                row, items = self._reads.rows(cart_id)
                break
            except (StorageUnavailable, ClientError) as failure:  # whatever it is: try again
                log.warning(
                    "cart %s changed, not read back (%d): %s", cart_id, attempt + 1, failure
                )
            except CartNotFound:
                raise ChangeApplied(cart_id) from None
        else:
            raise ChangeApplied(cart_id)
        if row["status"]["S"] == DELETED:
            raise ChangeApplied(cart_id)  # applied, then deleted by another request
        cart_expiry = int(row["expiresAt"]["N"])
        stale = [
            item["productId"]["S"] for item in items if int(item["expiresAt"]["N"]) < cart_expiry
        ]
        self._line_expiry.move(cart_id, stale, epoch(from_epoch(cart_expiry) + LINE_EXPIRY_GRACE))
        return cart_from(row, lines_from_items(items))
