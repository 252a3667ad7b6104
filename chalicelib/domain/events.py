"""Cart events: what one committed change to a cart means, for a shop to react to.

The cart row is the commit point of every change. Each change bumps its version and names
itself in the row (`last_event`), and the row's `line_quantities` list every line, so the
row as it was and as it is name the change exactly once, however many line rows its
transaction also touched. Pure: the stream adapter hands the row images in as snapshots.

An event's id is its cart, version and kind: a redelivered change yields the same id, and a
deletion, expiry or abandonment (which keep the version of the change before them) never
shares one with that change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from chalicelib.domain.cart import ACTIVE, CHECKED_OUT, DELETED
from chalicelib.domain.clock import format_timestamp

SOURCE = "cart-service"

CART_CREATED = "CartCreated"
ITEM_ADDED = "ItemAdded"
ITEM_QUANTITY_CHANGED = "ItemQuantityChanged"
ITEM_REMOVED = "ItemRemoved"
ITEMS_CHANGED = "ItemsChanged"
CART_UPDATED = "CartUpdated"
CART_DELETED = "CartDeleted"
CART_MERGED = "CartMerged"
CART_CHECKED_OUT = "CartCheckedOut"
CART_EXPIRED = "CartExpired"
CART_ABANDONED = "CartAbandoned"
HOLDS_MOVED = "HoldsMoved"
"""The kind of a cart row's change that only moved its holds (the sweep giving back lapsed
ones, a large checkout holding its units in steps): a version of the cart, but no event."""
EVENT_KINDS = (
    CART_CREATED,
    ITEM_ADDED,
    ITEM_QUANTITY_CHANGED,
    ITEM_REMOVED,
    ITEMS_CHANGED,
    CART_UPDATED,
    CART_DELETED,
    CART_MERGED,
    CART_CHECKED_OUT,
    CART_EXPIRED,
    CART_ABANDONED,
)
_ITEM_EVENTS = (ITEM_ADDED, ITEM_QUANTITY_CHANGED, ITEM_REMOVED)


class RowChange(NamedTuple):
    """One stream record of a cart row: the row before and after (None: absent)."""

    sequence_number: str
    before: CartSnapshot | None
    after: CartSnapshot | None
    expired: bool = False
    """Removed by DynamoDB's TTL, not by the service."""


class CartSnapshot(NamedTuple):
    """A cart row as the stream shows it, before or after a change."""

    cart_id: str
    customer_id: str | None
    currency: str
    status: str
    version: int
    updated_at: datetime
    expires_at: datetime
    line_quantities: dict[str, int]
    last_event: str | None = None
    """The kind of the change that made this version (absent on a new cart's row)."""
    last_product_id: str | None = None
    """The product of that change, when it was an item's."""
    merged_from: str | None = None
    """The source of the last merge into this cart."""
    last_request_id: str | None = None
    """The request that made this version (absent: a sweeper's change, or an older row)."""
    abandoned_at: datetime | None = None
    """When the abandoned-cart sweep last found this cart idle."""
    stock_taken: dict[str, int] | None = None
    """What its checkout took from the shop's stock, by product (a checked-out cart's)."""

    def is_idle_candidate(self) -> bool:
        """A cart that can be abandoned: active, with lines."""
        return self.status == ACTIVE and bool(self.line_quantities)


class CartEvent(NamedTuple):
    kind: str
    cart: CartSnapshot
    """The cart as the change left it (as it was, for an expiry)."""
    occurred_at: datetime
    change: dict[str, Any]

    @property
    def event_id(self) -> str:
        return f"{self.cart.cart_id}:{self.cart.version}:{self.kind}"

    @property
    def request_id(self) -> str | None:
        """The request that made the change (X-Request-Id), for following one click from the
        API to the event; None for what no request did (an expiry, an abandonment: their
        row still names the last change's request)."""
        return None if self.kind in (CART_EXPIRED, CART_ABANDONED) else self.cart.last_request_id

    def detail(self) -> dict[str, Any]:
        """The event's `detail`, as the events/ schemas describe it."""
        quantities, request_id = self.cart.line_quantities, self.request_id
        return {
            "eventId": self.event_id,
            "cartId": self.cart.cart_id,
            "customerId": self.cart.customer_id,
            "version": self.cart.version,
            "occurredAt": format_timestamp(self.occurred_at),
            "change": self.change,
            **({"requestId": request_id} if request_id is not None else {}),
            "cart": {
                "itemCount": sum(quantities.values()),
                "lineCount": len(quantities),
                "currency": self.cart.currency,
            },
        }


def event_for(row: RowChange) -> CartEvent | None:
    """The event of one cart-row change, or None when the row changed without a change to
    the cart (a merge's lock, an abandonment watch, the removal of a deleted or merged cart,
    the expiry of one no longer active) or with no event of its own (holds that moved)."""
    before, after, expired = row.before, row.after, row.expired
    if after is None:
        if before is not None and expired and before.status == ACTIVE:
            return CartEvent(CART_EXPIRED, before, before.expires_at, {})
        return None
    if before is None:
        return CartEvent(CART_CREATED, after, after.updated_at, {})
    if after.version != before.version:
        kind = after.last_event or _kind_from_rows(before, after)
        if kind == HOLDS_MOVED:
            return None
        if kind in _ITEM_EVENTS:
            product_id = after.last_product_id or _changed_lines(before, after)[0]
            return CartEvent(kind, after, after.updated_at, _line_change(before, after, product_id))
        if kind == ITEMS_CHANGED:
            lines = [_line_change(before, after, pid) for pid in _changed_lines(before, after)]
            return CartEvent(kind, after, after.updated_at, {"lines": lines})
        if kind == CART_MERGED:
            return CartEvent(kind, after, after.updated_at, {"sourceCartId": after.merged_from})
        if kind == CART_CHECKED_OUT:
            taken = {"stockTaken": dict(sorted((after.stock_taken or {}).items()))}
            return CartEvent(kind, after, after.updated_at, taken)
        return CartEvent(kind, after, after.updated_at, {})
    if after.abandoned_at is not None and after.abandoned_at != before.abandoned_at:
        return CartEvent(CART_ABANDONED, after, after.abandoned_at, {})
    return None


def _kind_from_rows(before: CartSnapshot, after: CartSnapshot) -> str:
    """The kind of a change written by a version of the service that did not name it
    (during the deployment that starts the stream)."""
    if after.status == DELETED:
        return CART_DELETED
    if after.status == CHECKED_OUT:
        return CART_CHECKED_OUT
    changed = _changed_lines(before, after)
    if len(changed) != 1:
        return CART_MERGED
    if changed[0] not in before.line_quantities:
        return ITEM_ADDED
    return ITEM_REMOVED if changed[0] not in after.line_quantities else ITEM_QUANTITY_CHANGED


def _changed_lines(before: CartSnapshot, after: CartSnapshot) -> list[str]:
    old, new = before.line_quantities, after.line_quantities
    return sorted(pid for pid in old.keys() | new.keys() if old.get(pid) != new.get(pid))


def _line_change(before: CartSnapshot, after: CartSnapshot, product_id: str) -> dict[str, Any]:
    """The line an item change touched: its quantity after (0: removed) and before (0: a
    new line)."""
    old, new = before.line_quantities, after.line_quantities
    return {
        "productId": product_id,
        "quantity": new.get(product_id, 0),
        "previousQuantity": old.get(product_id, 0),
    }


def idle_deadline(cart: CartSnapshot, abandoned_after: timedelta) -> datetime:
    """When a cart left as it is becomes abandoned."""
    return cart.updated_at + abandoned_after
