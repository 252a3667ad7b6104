"""A change to a cart: when it happens, who makes it, on what terms (If-Match, a keyed
request's receipt) and whose cap of held units it counts against."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from chalicelib.domain.holds import Holder
from chalicelib.domain.receipts import Receipt


class Change(NamedTuple):
    """When a change happens, until when the cart lives after it, and, when the client sent
    If-Match, the version the change was decided against."""

    now: datetime
    expires_at: datetime
    expected_version: int | None = None
    owner: str | None = None
    """The customer the cart must belong to (a shopper's changes); None for any."""
    change_id: str = ""
    """Names this change in the row it writes, so that a write retried after its answer was
    lost can tell its own earlier success from another request's change."""
    receipt: Receipt | None = None
    """A keyed request's receipt, committed with the change."""
    request_id: str | None = None
    """The request that made the change, named in its event."""
    holder: Holder | None = None
    """Whose cap the units the change holds count against (None: uncapped, a trusted
    caller's)."""
    may_hold: bool = True
    """False once the holder's cap refused the change's holds: it holds no more units."""
