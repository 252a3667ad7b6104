"""A change decided on the whole cart: one read, one transaction.

A batch of line operations, and every change that sets free text (line attributes, the
note, the cart's attributes: its size budget is the whole cart's, domain/size.py), is
decided this way. The cart is read whole at one version (row and lines), the domain applies
the change to it (and names the rule that refuses it), and the result is written in one
TransactWriteItems pinned to the version read: the row's new lineQuantities, note,
attributes and version, one action per product whose line changed (DynamoDB refuses two
actions on one item, so a product's operations are folded into its final line), and the
expiry of lines that the cart's new expiry would outlive. A change decided on a cart that
has moved since fails its condition (ConcurrentUpdate: the service reads again). The answer
is the cart as applied, which is the cart as stored: no read-back, so such a change waits
for as many round trips as a single add.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Callable
from typing import Any

from chalicelib.domain.cart import Cart, Change
from chalicelib.domain.errors import StorageUnavailable
from chalicelib.dynamodb.expressions import (
    added_line,
    cart_update,
    deleted_line,
    line_expiry,
    pinned,
)
from chalicelib.dynamodb.merge import Transact
from chalicelib.dynamodb.reads import CartReads
from chalicelib.dynamodb.rows import (
    Row,
    attributes_map,
    cart_from,
    epoch,
    line_key,
    lines_from_items,
    quantities_map,
)
from chalicelib.parallel import in_parallel

log = logging.getLogger(__name__)

TRANSACTION_LIMIT = 100
"""Actions in one TransactWriteItems."""


class CartBatch:
    def __init__(
        self,
        carts_table: str,
        items_table: str,
        reads: CartReads,
        transact: Transact,
        refresh_expiry: Callable[[Row, Row], None],
    ) -> None:
        self._carts = carts_table
        self._items = items_table
        self._reads = reads
        self._transact = transact
        self._refresh_expiry = refresh_expiry

    def run(
        self,
        cart_id: str,
        decide: Callable[[Cart], None],
        change: Change,
        event: str,
        product_id: str | None = None,
    ) -> Cart:
        """Read the cart, let `decide` change a copy of it (the domain's rules raise before
        any write), and write what changed as the change `event` (of `product_id`, for an
        item's)."""
        row, items = self._reads.rows(cart_id, decisive=True)
        cart = cart_from(row, lines_from_items(items))
        changed = copy.deepcopy(cart)
        decide(changed)
        sets, removes = ["lineQuantities = :lines"], []
        values = {":lines": quantities_map(changed.lines)}
        if changed.note != cart.note:
            if changed.note:
                sets.append("note = :note")
                values[":note"] = {"S": changed.note}
            else:
                removes.append("note")
        if changed.attributes != cart.attributes:
            sets.append("attributes = :attributes")
            values[":attributes"] = attributes_map(changed.attributes)
        update = cart_update(
            self._carts,
            cart_id,
            change,
            pinned(cart, change),
            event,
            product_id,
            set_=", ".join(sets),
            remove=", ".join(removes),
            values=values,
        )
        actions, touched = [{"Update": update}], set()
        before = {line.product_id: line for line in cart.lines}
        after = {line.product_id: line for line in changed.lines}
        for product_id in sorted(before.keys() | after.keys()):
            old, new = before.get(product_id), after.get(product_id)
            if new is None:
                actions.append(deleted_line(self._items, cart_id, product_id))
            elif old != new:
                line = added_line(self._items, cart_id, new, change, new.quantity, replace=True)
                actions.append(line)
            else:
                continue
            touched.add(product_id)
        cart_expiry = int(epoch(change.expires_at)["N"])
        stale = [
            item
            for item in items
            if item["productId"]["S"] not in touched and int(item["expiresAt"]["N"]) < cart_expiry
        ]
        room = TRANSACTION_LIMIT - len(actions) - (change.receipt is not None)
        actions += [self._expiry_moved(item, change) for item in stale[:room]]
        self._transact(cart_id, actions, change=change)
        self._move_expiry_after(stale[room:], change)
        return changed

    def _expiry_moved(self, item: Row, change: Change) -> Row:
        """A line the batch leaves alone, kept from expiring before its cart."""
        return {
            "Update": {
                "TableName": self._items,
                "Key": line_key(item["cartId"]["S"], item["productId"]["S"]),
                "UpdateExpression": "SET expiresAt = :expiresAt",
                "ConditionExpression": "attribute_exists(cartId)",
                "ExpressionAttributeValues": {":expiresAt": line_expiry(change)},
            }
        }

    def _move_expiry_after(self, items: list[Row], change: Change) -> None:
        """What the transaction had no room for (a cart of many stale lines), afterwards."""
        refreshes: list[Callable[[], Any]] = [
            functools.partial(self._refresh_expiry, item, line_expiry(change)) for item in items
        ]
        try:
            in_parallel(refreshes)
        except StorageUnavailable:
            log.warning("line expiry not moved along; the next change does it")
