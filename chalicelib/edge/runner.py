"""Running one operation (operations.py) for any transport: its request parsed, the service
called, and, with an Idempotency-Key, its change applied once and every retry answered as
the first request was (idempotency.py)."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib import telemetry
from chalicelib.domain.access import GUEST
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import CartServiceError, ChangeApplied
from chalicelib.edge import idempotency, parsing
from chalicelib.edge.operations import Incoming, Operation, Reply
from chalicelib.service.changes import Answer, RequestContext
from chalicelib.service.operations import CartService
from chalicelib.service.ports import ReceiptStore

log = logging.getLogger(__name__)


def run(
    operation: Operation, request: Incoming, carts: CartService, receipts: ReceiptStore
) -> Reply:
    """Parse and run one request. With an idempotency key, the change commits with its
    receipt, and a request whose key has a receipt answers as the first one did (keys are
    the caller's own: two callers' keys never collide). See edge/idempotency.py."""
    key = request.idempotency_key
    if key is not None and request.caller.kind == GUEST and request.caller.cart_id is None:
        key = parsing.secret_idempotency_key(key)
    call = operation.parse(request)
    context = RequestContext(
        request.caller,
        request.expected_version,
        None,
        request.request_id,
        request.client_address,
    )
    if key is None:
        try:
            return call(carts, context)
        except ChangeApplied as applied:
            return operation.applied(applied.cart_id, request)
    fingerprint = {
        "operation": operation.name,
        "path": dict(request.path),
        "body": request.body,
        "ifMatch": request.expected_version,
    }
    receipt = idempotency.receipt_for(request.caller.scope, key, fingerprint)
    answers = operation.answers
    answer: Answer[Any] | None = None
    if answers is not None:
        answer = Answer(lambda shown: answers(shown, request)._asdict())
    try:
        reply = call(carts, context._replace(receipt=receipt, answer=answer))
    except ChangeApplied as applied:
        return operation.applied(applied.cart_id, request)
    except Exception as failure:  # whatever failed: was the change made all the same?
        stored = receipts.get(receipt.key, utc_now())
        if stored is None:
            raise  # nothing was applied: the failure stands
        if not isinstance(failure, CartServiceError):
            log.exception(
                "%s failed after its change committed: answered from its receipt", operation.name
            )
        replay = Reply(
            **idempotency.replayed(
                stored,
                receipt,
                recall=lambda cart_id: operation.recall(carts, cart_id, request)._asdict(),
                applied=lambda cart_id: operation.applied(cart_id, request)._asdict(),
                keep=lambda reply: receipts.keep_reply(receipt, reply),
            )
        )
        telemetry.count("Replays")
        return replay
    if answer is not None and answer.kept is not None:
        return Reply(**answer.kept)  # the very answer its receipt holds
    if not operation.keeps_its_reply:
        receipts.keep_reply(receipt, reply._asdict())
    return reply
