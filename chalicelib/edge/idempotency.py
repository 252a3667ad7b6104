"""Idempotency-Key: a retried request answers as the first one did and is applied once.

Every mutation takes a key. The request's receipt (its key, scoped to the caller, and a
digest of the request) commits in the same DynamoDB transaction as its change, so it exists
exactly when the change happened (domain/receipts.py). A keyed request that fails for any
reason looks for its receipt before answering the failure: found, the change was made (by
this request's earlier attempt or a concurrent retry), and the first answer is replayed;
the same key with another request is IDEMPOTENCY_KEY_REUSED. The first answer is kept with
the receipt: in the change's own write when the change knew its cart before writing,
otherwise once the cart has been read back; when it could not be (the function died, the
read-back failed and answered 202), a retry answers the cart as it now is.

Nothing here depends on the request finishing: no record is written before the change and
none is removed after a failure, so no crash leaves a key that lets a change apply twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from chalicelib.domain.errors import CartNotFound, IdempotencyKeyReused, StorageUnavailable
from chalicelib.domain.receipts import Receipt, StoredReceipt


def receipt_for(scope: str, key: str, request: dict[str, Any]) -> Receipt:
    """The receipt of `request` (operation, path, body, If-Match) sent by `scope` with `key`."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Receipt(f"{scope} {key}", hashlib.sha256(canonical.encode()).hexdigest())


def replayed(
    stored: StoredReceipt,
    receipt: Receipt,
    recall: Callable[[str], dict[str, Any]],
    applied: Callable[[str], dict[str, Any]],
    keep: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """The answer to a request whose key has a receipt: the first answer, kept or rebuilt by
    `recall` from the cart as it is now (and then kept); `applied` (202) when the cart can
    no longer be read."""
    if stored.receipt.request != receipt.request:
        raise IdempotencyKeyReused()
    if stored.reply is not None:
        return stored.reply
    try:
        reply = recall(stored.cart_id)
    except (CartNotFound, StorageUnavailable):
        return applied(stored.cart_id)
    keep(reply)
    return reply
