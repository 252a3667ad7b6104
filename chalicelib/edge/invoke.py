"""The direct-invoke transport: the operations as Lambda functions, for backends that call
with IAM.

Each function takes the REST body with the path parameters as fields (`{"cartId": "...",
"productId": "...", "quantity": 2}`), and where the REST route takes If-Match or
Idempotency-Key, the fields `expectedVersion` (an integer: the version a cart view's ETag
names) and `idempotencyKey`, with the same meaning. It returns what the REST API would: the
cart view, or the same problem object on an error (`{"status": 404, "code":
"CART_NOT_FOUND", ...}`); delete_cart returns null. Errors are returned, not raised, so a
caller branches on `code` just as a REST client does.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import CartServiceError, FieldError, InvalidInput, InvalidJson
from chalicelib.edge import documents, logs, parsing
from chalicelib.edge.operations import Incoming, Operation
from chalicelib.edge.problems import refusal
from chalicelib.edge.runner import run
from chalicelib.edge.services import Container, Services

EXPECTED_VERSION = "expectedVersion"
IDEMPOTENCY_KEY = "idempotencyKey"


def answer(operation: Operation, event: Any, context: Any, services: Container[Services]) -> Any:
    """Run one operation for a Lambda event: the result, or the problem object of its error."""
    request_id = getattr(context, "aws_request_id", None)
    with logs.access_log(
        request_id,
        ("operation", "status", "code"),
        operation.name,
        cartId=event.get("cartId") if isinstance(event, dict) else None,
    ) as entry:
        try:
            request = incoming(event, operation)._replace(request_id=request_id)
            built = services.get()
            reply = run(operation, request, built.carts, built.receipts)
            entry["status"] = reply.status
            return reply.body
        except CartServiceError as error:
            problem = refusal(error)
            entry["status"] = problem["status"]
            return problem


def incoming(event: Any, operation: Operation) -> Incoming:
    """The event's path fields, its optional expectedVersion and idempotencyKey, and the
    rest of it: the body, or the query of list_customer_carts."""
    if not isinstance(event, dict):
        raise InvalidJson("the event is not a JSON object")
    documents.check_text(event)
    missing = [FieldError(name, "is required") for name in operation.path if name not in event]
    if missing:
        raise InvalidInput(missing)
    taken = set(operation.path)
    taken |= {EXPECTED_VERSION} if operation.conditional else set()
    taken |= {IDEMPOTENCY_KEY} if operation.keyed else set()
    rest = {key: value for key, value in event.items() if key not in taken}
    if operation.takes == "nothing" and rest:
        raise InvalidInput([FieldError(key, "is not a known field") for key in sorted(rest)])
    return Incoming(
        path={name: event[name] for name in operation.path},
        body=rest if operation.takes in ("body", "optional body") else {},
        query=_query(rest) if operation.takes == "query" else {},
        expected_version=(
            parsing.expected_version(event.get(EXPECTED_VERSION)) if operation.conditional else None
        ),
        idempotency_key=(
            parsing.idempotency_key(event.get(IDEMPOTENCY_KEY), IDEMPOTENCY_KEY)
            if operation.keyed
            else None
        ),
    )


def _query(fields: dict[str, Any]) -> dict[str, str]:
    """A query's parameters as fields: strings, or integers (a `limit`)."""
    wrong = [key for key, value in fields.items() if not isinstance(value, str | int)]
    if wrong:
        raise InvalidInput([FieldError(key, "must be a string or an integer") for key in wrong])
    return {key: str(value) for key, value in fields.items()}
