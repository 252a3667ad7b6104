"""UCP's four cart operations, run by edge/operations.py's runner like every /carts
operation: the same service calls, receipts (an Idempotency-Key's replay answers the first
answer; the key with another request is refused), versions and events.

Ids: a cart's UCP id is its cartId, except a guest's: a cart made without a shopper's
token has as UCP id its cart token (`cart.<key>.<cartId>.<signature>`), the one thing
that grants it. UCP's agent keeps a cart's id and sends it back, so the id is how a
business hands a guest back its access (docs/agents.md, "Who may call").

Answers: a cart document, or a refusal. Refusals that are business outcomes (not found,
a quantity over the limit) are UCP error responses answered 200; protocol errors (401,
403, key reuse, 429, 503, malformed JSON) keep their HTTP status, as UCP says.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from chalicelib import telemetry
from chalicelib.domain.access import Caller
from chalicelib.domain.commands import ItemOperation
from chalicelib.domain.errors import (
    CartServiceError,
    FieldError,
    InvalidInput,
    PreconditionFailed,
    Unauthenticated,
)
from chalicelib.domain.identifiers import CART_ID
from chalicelib.domain.pricing import PricedCart
from chalicelib.edge import runner
from chalicelib.edge.auth import TokenVerifier
from chalicelib.edge.operations import Call, Incoming, Operation, Reply
from chalicelib.edge.problems import refusal
from chalicelib.edge.rest import error_headers
from chalicelib.edge.services import Services
from chalicelib.edge.ucp import requests
from chalicelib.edge.ucp.documents import cart_document, envelope, error_document
from chalicelib.service import cart_tokens
from chalicelib.service.changes import RequestContext
from chalicelib.service.operations import CartService, CreatedCart
from chalicelib.settings import storefront_url

CANCEL_ATTEMPTS = 3
"""Cancel reads the cart, then deletes that version; a change in between: read again."""


class Target(NamedTuple):
    cart_id: str
    ucp_id: str
    caller: Caller


def target(ucp_id: object, caller: Caller, verifier: TokenVerifier) -> Target:
    """The cart a UCP id names, and who asks: a guest cart's id (its cart token) grants it."""
    if isinstance(ucp_id, str) and cart_tokens.looks_like_one(ucp_id):
        try:
            guest, _ = verifier.caller(f"Bearer {ucp_id}")
        except Unauthenticated:  # not a token of ours: a cart nobody has
            raise InvalidInput([FieldError("id", "is not the id of a cart")]) from None
        assert guest.cart_id is not None
        return Target(guest.cart_id, ucp_id, guest)
    if not (isinstance(ucp_id, str) and CART_ID.fullmatch(ucp_id)):
        raise InvalidInput([FieldError("id", "is not the id of a cart")])
    return Target(ucp_id, ucp_id, caller)


def continue_url(cart_id: str | None = None, ucp_id: str | None = None) -> str:
    """The demo storefront, with the cart open: a guest's (whose UCP id is its cart token)
    with its token, in the fragment, which the browser never sends to a server; without a
    cart, the storefront."""
    base = storefront_url()
    if cart_id is None:
        return f"{base}/"
    token = f"&token={ucp_id}" if ucp_id is not None and ucp_id != cart_id else ""
    return f"{base}/#cart={cart_id}{token}"


def _document(service: CartService, incoming: Incoming) -> Reply:
    cart_id, ucp_id = str(incoming.path["cartId"]), str(incoming.path["id"])
    return _cart_reply(service.get_cart(cart_id, incoming.caller), ucp_id)


def _cart_reply(priced: PricedCart, ucp_id: str, status: int = 200) -> Reply:
    body = cart_document(priced, ucp_id, continue_url(priced.cart.cart_id, ucp_id))
    return Reply(status, body, {"ETag": f'"{priced.cart.version}"'})


def _applied(cart_id: str, incoming: Incoming) -> Reply:
    """A change that committed to a cart that could not be read back: 202, and what to
    do (a retry with the same Idempotency-Key answers the cart)."""
    ucp_id = str(incoming.path.get("id", cart_id))
    body = {
        "ucp": envelope(),
        "id": ucp_id,
        "messages": [
            {
                "type": "info",
                "code": "change_applied",
                "content": "The change was made; get the cart to see it.",
            }
        ],
        "continue_url": continue_url(cart_id, ucp_id),
    }
    return Reply(202, body, {})


def _create(incoming: Incoming) -> Call:
    command = requests.create(incoming.body)

    def call(service: CartService, context: RequestContext) -> Reply:
        with _line_errors(command.lines):
            return _created(service.create_cart(command, context), incoming)

    return call


def _created(created: CreatedCart, incoming: Incoming) -> Reply:
    """A created cart's document: a guest's UCP id is its cart token."""
    return _cart_reply(created.priced, created.cart_token or created.priced.cart.cart_id, 201)


def _get(incoming: Incoming) -> Call:
    return lambda service, context: _document(service, incoming)


def _update(incoming: Incoming) -> Call:
    update = requests.update(incoming.body, str(incoming.path["id"]))

    def call(service: CartService, context: RequestContext) -> Reply:
        cart_id = str(incoming.path["cartId"])
        with _line_errors(update.lines):
            priced = service.replace_items(cart_id, update.lines, context, update.address)
        return _cart_reply(priced, str(incoming.path["id"]))

    return call


def _cancel(incoming: Incoming) -> Call:
    """UCP answers a canceled cart's state before it went: read it, delete that version."""
    cart_id = str(incoming.path["cartId"])

    def call(service: CartService, context: RequestContext) -> Reply:
        for attempt in range(1, CANCEL_ATTEMPTS + 1):
            priced = service.get_cart(cart_id, incoming.caller)
            version = context.expected_version or priced.cart.version
            reply = _cart_reply(priced, str(incoming.path["id"]))._replace(headers={})
            # The answer is known before the delete: it goes in the receipt, in the same
            # write; and the lines read at the version deleted need no reading again.
            receipt = context.receipt and context.receipt._replace(reply=reply._asdict())
            pinned = context._replace(expected_version=version, receipt=receipt)
            lines = [line.product_id for line in priced.cart.lines]
            try:
                service.delete_cart(cart_id, pinned, lines)
            except PreconditionFailed:  # changed since read: read it again (not If-Match's)
                if context.expected_version is not None or attempt == CANCEL_ATTEMPTS:
                    raise
                continue
            return reply
        raise AssertionError("the loop returns or raises")

    return call


CREATE_CART = Operation(
    "ucp_create_cart",
    (),
    "body",
    _create,
    keyed=True,
    applied=_applied,
    answers=_created,
)
GET_CART = Operation("ucp_get_cart", ("id",), "nothing", _get)
UPDATE_CART = Operation(
    "ucp_update_cart",
    ("id",),
    "body",
    _update,
    conditional=True,
    keyed=True,
    recall=lambda service, cart_id, incoming: _document(service, incoming),
    applied=_applied,
    answers=lambda priced, incoming: _cart_reply(priced, str(incoming.path["id"])),
)
CANCEL_CART = Operation(
    "ucp_cancel_cart",
    ("id",),
    "optional body",
    _cancel,
    conditional=True,
    keyed=True,
    recall=lambda service, cart_id, incoming: _applied(cart_id, incoming),
    applied=_applied,
    keeps_its_reply=True,
)
BY_TOOL = {
    "create_cart": CREATE_CART,
    "get_cart": GET_CART,
    "update_cart": UPDATE_CART,
    "cancel_cart": CANCEL_CART,
}


def run(operation: Operation, incoming: Incoming, services: Services) -> Reply:
    """Run a UCP operation: its cart document, or its refusal as UCP answers it."""
    try:
        if operation.path:
            found = target(incoming.path["id"], incoming.caller, services.verifier)
            telemetry.label(cartId=found.cart_id)  # the access line's cart, never a token
            incoming = incoming._replace(
                path={"cartId": found.cart_id, "id": found.ucp_id}, caller=found.caller
            )
        return runner.run(operation, incoming, services.carts, services.receipts)
    except CartServiceError as error:
        return refused(error, incoming)


# -- refusals ------------------------------------------------------------------------------

PROTOCOL_ERRORS = {"INVALID_JSON", "IDEMPOTENCY_KEY_REUSED", "CONFLICT"}
"""Refusals UCP answers with their HTTP status; so is every status of 401, 403 and 413 up."""
UCP_CODES = {
    "CART_NOT_FOUND": ("not_found", "unrecoverable"),
    "PRODUCT_NOT_FOUND": ("item_unavailable", "recoverable"),
    "INSUFFICIENT_STOCK": ("insufficient_stock", "recoverable"),
    "CART_NOT_ACTIVE": ("cart_checked_out", "unrecoverable"),
}
"""The service's codes that have a UCP code of their own (the rest: lowercased,
recoverable)."""


def is_protocol_error(status: int, code: str) -> bool:
    return code in PROTOCOL_ERRORS or status in (401, 403) or status >= 413


NOTHING_YET = Incoming({}, {}, {}, None, None)
"""What a refusal knows of a request refused before it was read whole."""


def refused(error: CartServiceError, incoming: Incoming, protocol: bool = False) -> Reply:
    """UCP's answer to a refusal; `protocol`: a refusal of the request's form (its JSON,
    its headers), which UCP answers with the HTTP status, as any protocol error."""
    problem = refusal(error)
    status, code = problem["status"], problem["code"]
    if protocol or is_protocol_error(status, code):
        body = {"code": code.lower(), "content": problem["detail"]}
        return Reply(status, body, error_headers(error))
    ucp_code, severity = UCP_CODES.get(code, (code.lower(), "recoverable"))
    fields = [(e.field, e.message) for e in getattr(error, "errors", [])] or [(error.field, None)]
    messages = []
    for field, message in fields:
        entry = {
            "type": "error",
            "code": ucp_code,
            "content": problem["detail"] if message is None else f"{field} {message}",
            "severity": severity,
        }
        if field:
            entry["path"] = f"$.{field}"
        messages.append(entry)
    cart_id, ucp_id = incoming.path.get("cartId"), incoming.path.get("id")
    if code == "CART_NOT_FOUND" or not isinstance(cart_id, str):
        shown = continue_url()
    else:
        shown = continue_url(cart_id, ucp_id if isinstance(ucp_id, str) else None)
    return Reply(200, error_document(messages, shown), {})


@contextmanager
def _line_errors(lines: Sequence[ItemOperation]) -> Iterator[None]:
    """A refusal of the service names a batch's operation (`operations[2].quantity`); the
    agent sent line items: name the line item instead (`line_items[0].quantity`)."""
    try:
        yield
    except CartServiceError as error:
        if error.product_id is not None and error.field is not None:
            index = next(i for i, line in enumerate(lines) if line.product_id == error.product_id)
            part = "quantity" if error.field.endswith(".quantity") else "item.id"
            error.field = f"line_items[{index}].{part}"
        raise
