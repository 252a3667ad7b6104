"""Merging one cart into another: one transaction when it fits, else a resumable plan.

DynamoDB takes at most 100 actions in a transaction. A merge of up to 49 source lines fits:
2 actions for the cart rows and 2 per line (48 lines with a keyed request's receipt). A
larger one records its plan in the two cart rows and moves the lines in steps that a
retried merge, or the sweeper, finishes (see `_in_steps`).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any

from chalicelib import telemetry
from chalicelib.domain.cart import MERGING, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.clock import format_timestamp
from chalicelib.domain.errors import RequestAlreadyApplied
from chalicelib.domain.events import CART_MERGED
from chalicelib.domain.holds import HolderCount
from chalicelib.dynamodb.calls import chunks
from chalicelib.dynamodb.expressions import (
    Condition,
    added_line,
    cart_update,
    deleted_line,
    pinned,
    source_pinned,
)
from chalicelib.dynamodb.hold_rows import holds_update
from chalicelib.dynamodb.reads import CartReads
from chalicelib.dynamodb.rows import (
    Row,
    cart_key,
    epoch,
    lines_from_items,
    quantities_map,
    receipt_map,
)
from chalicelib.dynamodb.stock import count_update
from chalicelib.dynamodb.tables import MERGE_LOCK
from chalicelib.dynamodb.transactions import CartTransactions

TRANSACTION_ACTIONS = 100
MOVED_LINES_PER_STEP = 49
"""Lines a step of a merge in steps moves: 2 actions each, plus the check of the plan."""

log = logging.getLogger(__name__)


def single_transaction_lines(change: Change) -> int:
    """The most source lines one transaction moves: 49, or 48 beside a receipt."""
    room = TRANSACTION_ACTIONS - 2 - (1 if change.receipt is not None else 0)
    return room // 2


class CartMerge:
    def __init__(
        self,
        carts_table: str,
        items_table: str,
        hold_counts_table: str,
        reads: CartReads,
        transactions: CartTransactions,
    ) -> None:
        self._carts = carts_table
        self._items = items_table
        self._hold_counts = hold_counts_table
        self._reads = reads
        self._transactions = transactions

    def run(
        self,
        target: Cart,
        source: Cart,
        merged: Cart,
        change: Change,
        counts: Sequence[HolderCount] = (),
    ) -> None:
        """Store `merged`, the domain's merge of `source` into `target` (both as read), with
        the holders' `counts` its holds move, and delete `source`."""
        if len(source.lines) <= single_transaction_lines(change) - len(counts):
            self._at_once(target, source, merged, change, counts)
        else:
            telemetry.count("MergesInSteps")
            self._in_steps(target, source, merged, change, counts)

    def _at_once(
        self,
        target: Cart,
        source: Cart,
        merged: Cart,
        change: Change,
        counts: Sequence[HolderCount],
    ) -> None:
        totals = {line.product_id: line.quantity for line in merged.lines}
        holds, unheld, held = holds_update(target.cart_id, merged.holds)
        target_update = cart_update(
            self._carts,
            target.cart_id,
            change,
            pinned(target, change),
            CART_MERGED,
            set_=", ".join(["lineQuantities = :lines, mergedFrom = :source", *holds]),
            remove=", ".join(unheld),
            values={
                ":lines": quantities_map(merged.lines),
                ":source": {"S": source.cart_id},
                **held,
            },
        )
        actions: list[Row] = [
            {"Update": target_update},
            {"Delete": self._row(source.cart_id, source_pinned(source, change))},
            *(count_update(self._hold_counts, count) for count in counts),
        ]
        for line in source.lines:
            actions.append(
                added_line(
                    self._items, target.cart_id, line, change, totals[line.product_id], merged=True
                )
            )
            actions.append(deleted_line(self._items, source.cart_id, line.product_id))
        self._transactions.run(target.cart_id, actions, change=change)

    def _in_steps(
        self,
        target: Cart,
        source: Cart,
        merged: Cart,
        change: Change,
        counts: Sequence[HolderCount],
    ) -> None:
        """A merge too large for one transaction, as a plan recorded in the two cart rows.

        1. Lock: in one transaction, mark the source MERGING into the target (and keep it
           alive as long as the target), and the target as receiving it (mergeFrom, with
           the request's receipt and its place in the index of merges in progress); both
           as read, or nothing happens. Every other change to either cart is refused. The
           source's holds move to the target then, with their holders' counts.
        A keyed merge whose key was used already is refused before the lock, so that its
        receipt cannot fail the last step.
        2. Move the source's lines in transactions of up to 49: each deletes a line from the
           source and adds it to the target at once, so a line is always in exactly one cart.
        3. Finish: in one transaction, write the target's line quantities, lift its marks
           and bump its version (once), delete the source row, and commit the receipt.
        A crash or throttle anywhere leaves the marks; the retried merge, or the sweeper a
        minute later, sees them and resumes at step 2 with the lines still in the source.
        """
        if change.receipt is not None and self._transactions.receipt_taken(change.receipt):
            raise RequestAlreadyApplied()  # before locking anything
        receiving = pinned(target, change).with_values(
            {
                ":source": {"S": source.cart_id},
                ":lock": {"S": MERGE_LOCK},
                ":startedAt": {"S": format_timestamp(change.now)},
            }
        )
        holds, unheld, held = holds_update(target.cart_id, merged.holds)
        receiving = receiving.with_values(held)
        plan = ", ".join(
            ["SET mergeFrom = :source, mergeLock = :lock, mergeStartedAt = :startedAt", *holds]
        )
        if change.receipt is not None:
            receiving = receiving.with_values({":receipt": receipt_map(change.receipt)})
            plan += ", mergeReceipt = :receipt"
        plan += f" REMOVE {', '.join(unheld)}" if unheld else ""
        merging = source_pinned(source, change).with_values(
            {
                ":merging": {"S": MERGING},
                ":target": {"S": target.cart_id},
                ":expiresAt": epoch(change.expires_at),
            }
        )
        self._transactions.run(
            target.cart_id,
            [
                {"Update": {**self._row(target.cart_id, receiving), "UpdateExpression": plan}},
                {
                    "Update": {
                        **self._row(source.cart_id, merging),
                        "UpdateExpression": "SET #status = :merging, mergeInto = :target,"
                        " expiresAt = :expiresAt REMOVE holds, holdsBucket, holdsLapseAt",
                    }
                },
                *(count_update(self._hold_counts, count) for count in counts),
            ],
        )
        locked = copy.deepcopy(target)
        locked.merging_from, locked.merge_receipt = source.cart_id, change.receipt
        self.finish(locked, change)

    def finish(self, target: Cart, change: Change) -> None:
        """Steps 2 and 3 of _in_steps for a target receiving a merge, from wherever an
        earlier attempt stopped; the receipt committed is the merge's own."""
        source_id = target.merging_from
        assert source_id is not None, "only a cart receiving a merge has one to finish"
        locked = self._row(
            source_id,
            Condition(
                "#status = :merging AND mergeInto = :target",
                {"#status": "status"},
                {":merging": {"S": MERGING}, ":target": {"S": target.cart_id}},
            ),
        )
        remaining = lines_from_items(self._reads.line_rows(source_id))
        for chunk in chunks(remaining, MOVED_LINES_PER_STEP):
            actions: list[Row] = [{"ConditionCheck": locked}]
            for line in chunk:
                actions.append(
                    added_line(self._items, target.cart_id, line, change, total=None, merged=True)
                )
                actions.append(deleted_line(self._items, source_id, line.product_id))
            self._transactions.run(target.cart_id, actions)
        received = lines_from_items(self._reads.line_rows(target.cart_id))
        target_update = cart_update(
            self._carts,
            target.cart_id,
            change,
            Condition("mergeFrom = :source", {}, {":source": {"S": source_id}}),
            CART_MERGED,
            set_="lineQuantities = :lines, mergedFrom = :source",
            remove="mergeFrom, mergeLock, mergeStartedAt, mergeReceipt",
            values={":lines": quantities_map(received)},
        )
        finish = [{"Update": target_update}, {"Delete": locked}]
        try:
            self._transactions.run(
                target.cart_id, finish, change=change._replace(receipt=target.merge_receipt)
            )
        except RequestAlreadyApplied:
            # Another request took the key since the lock (one key, two requests at once):
            # the merge still finishes, and its request answers as that key's reuse.
            log.error("merge into cart %s finished without its receipt", target.cart_id)
            self._transactions.run(target.cart_id, finish)
            raise

    def _row(self, cart_id: str, condition: Condition) -> dict[str, Any]:
        """A cart row's key under a condition: the common part of a transaction's actions."""
        return {"TableName": self._carts, "Key": cart_key(cart_id), **condition}
