"""A change the domain decided on the whole cart, written in one transaction pinned to the
version it was read at.

The service reads the cart whole (row and lines at one version), the domain applies the
change to a copy (a batch, text of any kind, a discount code, a checkout), and this writes
the difference: the row's changed fields, lineQuantities and version (with the change's
event kind, for the stream), the units its holds or checkout take or give back (with
the holders' counts, within their caps), one action per product whose line changed
(DynamoDB refuses
two actions on one item, so a product's operations arrive folded into its final line), one
more use of each limited promotion a checkout counts (within its limit: the counter's
condition, named by the promotion's own rule), and the expiry of lines that the cart's new
expiry would outlive. A change decided on a cart that has moved since fails its condition
(ConcurrentUpdate: the service reads again). The answer is the cart as decided, which is
the cart as stored: no read-back, so such a change waits for the read and the write.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.holds import HoldChanges
from chalicelib.domain.promotions import Promotion
from chalicelib.domain.stock import ONE_WRITE
from chalicelib.dynamodb.calls import ItemRefusal
from chalicelib.dynamodb.expressions import (
    added_line,
    cart_update,
    deleted_line,
    line_expiry,
    pinned,
)
from chalicelib.dynamodb.hold_rows import holds_index
from chalicelib.dynamodb.line_expiry import LineExpiry
from chalicelib.dynamodb.promotions import use_counts, use_update, uses_from
from chalicelib.dynamodb.rows import CART_FIELDS, Row, quantities_map
from chalicelib.dynamodb.stock import held_stock
from chalicelib.dynamodb.transactions import CartTransactions
from chalicelib.service.ports import Decided


class DecidedChanges:
    def __init__(
        self,
        carts_table: str,
        items_table: str,
        uses_table: str,
        stock_table: str,
        hold_counts_table: str,
        transactions: CartTransactions,
        line_expiry: LineExpiry,
    ) -> None:
        self._carts = carts_table
        self._items = items_table
        self._uses = uses_table
        self._stock = stock_table
        self._hold_counts = hold_counts_table
        self._transactions = transactions
        self._line_expiry = line_expiry

    def save(self, decided: Decided, change: Change) -> Cart:
        before, after = decided.before, decided.after
        cart_id = before.cart_id
        actions: list[Row] = [
            {"Update": self._row_update(before, after, change, decided.event, decided.product_id)}
        ]
        touched = set()
        old_lines = {line.product_id: line for line in before.lines}
        new_lines = {line.product_id: line for line in after.lines}
        for pid in sorted(old_lines.keys() | new_lines.keys()):
            old, new = old_lines.get(pid), new_lines.get(pid)
            if new is None:
                actions.append(deleted_line(self._items, cart_id, pid))
            elif old != new:
                actions.append(added_line(self._items, cart_id, new, change, new.quantity, True))
            else:
                continue
            touched.add(pid)
        refusals: dict[int, ItemRefusal] = {}
        for key, limit, promotion, per_customer in (
            count for p in decided.counted for count in use_counts(p, before.customer_id)
        ):
            refusals[len(actions)] = _used_up(promotion, per_customer)
            actions.append(use_update(self._uses, key, limit))
        receipt = change.receipt is not None
        holding = HoldChanges(list(decided.takes), list(decided.counts))
        tables = (self._stock, self._hold_counts, cart_id)
        refusals.update(held_stock(*tables, holding, actions, receipt))
        stale = [
            line
            for line in before.lines
            if line.product_id not in touched
            and line.expires_at is not None
            and line.expires_at < change.expires_at
        ]
        room = ONE_WRITE - len(actions) - receipt
        expiry = line_expiry(change)
        moved = self._line_expiry.moved
        actions += [moved(cart_id, line.product_id, expiry) for line in stale[:room]]
        self._transactions.run(cart_id, actions, change=change, item_refusals=refusals)
        # What the transaction had no room for (a cart of many stale lines), afterwards.
        self._line_expiry.move(cart_id, (line.product_id for line in stale[room:]), expiry)
        return after

    def _row_update(
        self, before: Cart, after: Cart, change: Change, event: str, product_id: str | None
    ) -> Row:
        """The cart row's update: what the change made differ, if the row is as read (a
        checkout also names its change, as a delete does)."""
        sets, removes = ["lineQuantities = :lines"], []
        values: dict[str, Any] = {":lines": quantities_map(after.lines)}
        changed = {
            field.attribute: field.write(getattr(after, field.name))
            for field in CART_FIELDS
            if getattr(after, field.name) != getattr(before, field.name)
        }
        if after.holds != before.holds:
            changed.update(holds_index(after.cart_id, after.holds))
        for attribute, item in changed.items():
            if item is None:
                removes.append(attribute)
            else:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = item
        if after.status != before.status:  # a checkout: its prices and discounts frozen
            sets += ["#status = :status", "lastChange = :lastChange"]
            values[":status"] = {"S": after.status}
            values[":lastChange"] = {"S": change.change_id}
        return cart_update(
            self._carts,
            before.cart_id,
            change,
            pinned(before, change),
            event,
            product_id,
            set_=", ".join(sets),
            remove=", ".join(removes),
            values=values,
        )


def _used_up(promotion: Promotion, per_customer: bool) -> ItemRefusal:
    """A use counter's failed condition, named by its promotion's own rule."""

    def refusal(counter: Row | None) -> None:
        uses = uses_from(counter)
        promotion.check_uses(0 if per_customer else uses, uses if per_customer else 0, True)

    return refusal
