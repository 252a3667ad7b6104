"""Receipts: how a retried request is answered as the first one was, and applied once.

A request that carries an Idempotency-Key commits a receipt in the same transaction as its
change: either both are stored or neither. So a retry with the key finds the receipt exactly
when the change happened, whatever failed after the commit (a lost answer, a throttled read
of the cart, a function that died), and a second application is refused by the store itself:
the receipt's key may be written once.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Receipt(NamedTuple):
    key: str
    """The caller's scope and the Idempotency-Key: two callers' keys never collide."""
    request: str
    """A digest of the request (operation, path, body, If-Match): the same key with another
    request is refused."""
    reply: dict[str, Any] | None = None
    """The answer, when it is known before the change commits (a cancel answers the cart
    before it went): stored with the receipt, in the change's own write."""


class StoredReceipt(NamedTuple):
    receipt: Receipt
    cart_id: str
    """The cart the change was made to (a created cart's new id)."""
    reply: dict[str, Any] | None
    """The first answer, once it was kept; None when the first request could not read the
    cart back (or died) after its change committed."""
