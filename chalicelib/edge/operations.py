"""Every operation once, for both transports.

An `Operation` says what a request to it carries (path parameters; a body, a query or
nothing; whether it takes If-Match and Idempotency-Key) and parses it into a call of the
service, whose result it answers as a transport-neutral `Reply`. The REST routes (rest.py)
and the direct-invoke Lambda functions (invoke.py) only gather the request and present the
reply, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from chalicelib.domain.access import TRUSTED, TRUSTED_CALLER, Caller
from chalicelib.domain.errors import (
    FieldError,
    InvalidInput,
)
from chalicelib.domain.pricing import PricedCart
from chalicelib.edge import parsing, views
from chalicelib.service.changes import RequestContext
from chalicelib.service.operations import CartService, CreatedCart
from chalicelib.service.stock import StockLevel


class Reply(NamedTuple):
    status: int
    body: Any
    """The JSON document, or None (delete_cart)."""
    headers: dict[str, str]


class Incoming(NamedTuple):
    """A request as a transport hands it over, with the transport's own checks done."""

    path: Mapping[str, object]
    body: dict[str, Any]
    query: Mapping[str, str]
    expected_version: int | None
    """If-Match in REST, `expectedVersion` in a direct invocation."""
    idempotency_key: str | None
    """Idempotency-Key in REST, `idempotencyKey` in a direct invocation."""
    caller: Caller = TRUSTED_CALLER
    base_path: str = ""
    """Where the API's paths start: `/api` under a deployed stage, empty locally."""
    request_id: str | None = None
    """The request's id (X-Request-Id), which the change's event carries."""
    client_address: str | None = None
    """The connection's source address (API Gateway's `sourceIp`)."""


Call = Callable[[CartService, RequestContext], Reply]
Recall = Callable[[CartService, str, Incoming], Reply]
"""The answer to a committed change, rebuilt from the cart as it is now (by its id)."""
Applied = Callable[[str, Incoming], Reply]
"""The answer to a change that committed to a cart that could not be read back (202)."""
Answers = Callable[[Any, Incoming], Reply]
"""The answer to a change, given what it shows: the cart it leaves, priced (a create's: the
CreatedCart)."""


def _cart_as_now(service: CartService, cart_id: str, request: Incoming) -> Reply:
    return cart_reply(service.get_cart(cart_id))


class Operation(NamedTuple):
    name: str
    path: tuple[str, ...]
    takes: Literal["body", "optional body", "query", "nothing"]
    parse: Callable[[Incoming], Call]
    """Validates everything the request carries, before anything is read or written."""
    conditional: bool = False
    """Takes If-Match (`expectedVersion`)."""
    keyed: bool = False
    """Takes Idempotency-Key (`idempotencyKey`): a retry answers as the first request did."""
    recall: Recall = _cart_as_now
    applied: Applied = lambda cart_id, request: _applied(cart_id, request)
    keeps_its_reply: bool = False
    """Puts its answer in its receipt itself (Receipt.reply), in the change's own write: no
    write of the reply after it."""
    answers: Answers | None = None
    """How its answer is built from the cart it leaves: a keyed change that knows that cart
    before writing stores the answer with its receipt (service/changes.py, `Answer`)."""


def cart_reply(
    priced: PricedCart, status: int = 200, headers: dict[str, str] | None = None
) -> Reply:
    """The cart view, with its version as the ETag (what If-Match sends back)."""
    return Reply(
        status, views.cart_view(priced), {"ETag": f'"{priced.cart.version}"', **(headers or {})}
    )


def _answers_cart(priced: PricedCart, request: Incoming) -> Reply:
    return cart_reply(priced)


def _create_cart(request: Incoming) -> Call:
    caller = request.caller
    command = parsing.create_cart(request.body, customer_required=caller.kind == TRUSTED)

    return lambda service, context: _created(service.create_cart(command, context), request)


def _created(created: CreatedCart, request: Incoming) -> Reply:
    location = f"{request.base_path}/carts/{created.priced.cart.cart_id}"
    reply = cart_reply(created.priced, 201, {"Location": location})
    if created.cart_token is not None:
        reply.body["cartToken"] = created.cart_token
    return reply


def _get_cart(request: Incoming) -> Call:
    cart_id = parsing.cart_id(request.path["cartId"])
    return lambda service, context: cart_reply(service.get_cart(cart_id, context.caller))


def _delete_cart(request: Incoming) -> Call:
    cart_id = parsing.cart_id(request.path["cartId"])

    def call(service: CartService, context: RequestContext) -> Reply:
        # The answer is known before the delete: a keyed one's goes in its receipt.
        receipt = context.receipt and context.receipt._replace(reply=_DELETED._asdict())
        service.delete_cart(cart_id, context._replace(receipt=receipt))
        return _DELETED

    return call


_DELETED = Reply(204, None, {})


def _add_item(request: Incoming) -> Call:
    cart_id, command = parsing.cart_id(request.path["cartId"]), parsing.add_item(request.body)
    return lambda service, context: cart_reply(service.add_item(cart_id, command, context))


def _update_cart_item(request: Incoming) -> Call:
    cart_id = parsing.cart_id(request.path["cartId"])
    product_id = parsing.product_id(request.path["productId"])
    command = parsing.update_item(request.body)
    return lambda service, context: cart_reply(
        service.update_item(cart_id, product_id, command, context)
    )


def _change_items(request: Incoming) -> Call:
    cart_id, command = parsing.cart_id(request.path["cartId"]), parsing.change_items(request.body)
    return lambda service, context: cart_reply(service.change_items(cart_id, command, context))


def _update_cart(request: Incoming) -> Call:
    cart_id, command = parsing.cart_id(request.path["cartId"]), parsing.update_cart(request.body)
    return lambda service, context: cart_reply(service.update_cart(cart_id, command, context))


def _remove_item(request: Incoming) -> Call:
    cart_id = parsing.cart_id(request.path["cartId"])
    product_id = parsing.product_id(request.path["productId"])
    return lambda service, context: cart_reply(service.remove_item(cart_id, product_id, context))


def _merge_carts(request: Incoming) -> Call:
    cart_id, command = parsing.cart_id(request.path["cartId"]), parsing.merge_carts(request.body)
    return lambda service, context: cart_reply(service.merge_carts(cart_id, command, context))


def _checkout(request: Incoming) -> Call:
    cart_id, accept = parsing.cart_id(request.path["cartId"]), parsing.checkout(request.body)
    return lambda service, context: cart_reply(service.check_out(cart_id, accept, context))


def _apply_discount_code(request: Incoming) -> Call:
    cart_id = parsing.cart_id(request.path["cartId"])
    code = parsing.enter_discount_code(request.body)
    return lambda service, context: cart_reply(service.enter_discount_code(cart_id, code, context))


def _remove_discount_code(request: Incoming) -> Call:
    cart_id = parsing.cart_id(request.path["cartId"])
    code = parsing.discount_code(request.path["code"])
    return lambda service, context: cart_reply(service.remove_discount_code(cart_id, code, context))


def _adjust_stock(request: Incoming) -> Call:
    """The shop's change of a product's stock: always keyed, so a retry never counts twice
    (the key names the adjustment in the shop's own system)."""
    if request.idempotency_key is None:
        raise InvalidInput([FieldError("idempotencyKey", "is required: it names the adjustment")])
    command = parsing.adjust_stock(request.body)

    return lambda service, context: _stock_reply(service.stock.adjust(command, context))


def _stock_as_now(service: CartService, product_id: str, request: Incoming) -> Reply:
    return _stock_reply(service.stock.level(product_id))


def _stock_reply(level: StockLevel) -> Reply:
    return Reply(200, {"productId": level.product_id, "available": level.available}, {})


def _list_customer_carts(request: Incoming) -> Call:
    customer_id = parsing.customer_id(request.path["customerId"])
    return _carts_page(customer_id, request)


def _list_my_carts(request: Incoming) -> Call:
    return _carts_page(None, request)


def _carts_page(customer_id: str | None, request: Incoming) -> Call:
    query = parsing.list_carts(request.query)

    def call(service: CartService, context: RequestContext) -> Reply:
        page = service.list_customer_carts(customer_id, query, context.caller)
        return Reply(200, views.carts_page(page.carts, page.next_token), {})

    return call


CREATE_CART = Operation("create_cart", (), "body", _create_cart, keyed=True, answers=_created)
"""Its receipt holds its answer from its write on: its retry never rebuilds one (recall)."""
GET_CART = Operation("get_cart", ("cartId",), "nothing", _get_cart)
DELETE_CART = Operation(
    "delete_cart",
    ("cartId",),
    "nothing",
    _delete_cart,
    conditional=True,
    keyed=True,
    recall=lambda *_: _DELETED,
    keeps_its_reply=True,
)
CHANGE_ITEMS = Operation(
    "change_items",
    ("cartId",),
    "body",
    _change_items,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
UPDATE_CART = Operation(
    "update_cart",
    ("cartId",),
    "body",
    _update_cart,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
ADD_ITEM = Operation(
    "add_item", ("cartId",), "body", _add_item, conditional=True, keyed=True, answers=_answers_cart
)
UPDATE_CART_ITEM = Operation(
    "update_cart_item",
    ("cartId", "productId"),
    "body",
    _update_cart_item,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
REMOVE_ITEM = Operation(
    "remove_item",
    ("cartId", "productId"),
    "nothing",
    _remove_item,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
MERGE_CARTS = Operation(
    "merge_carts",
    ("cartId",),
    "body",
    _merge_carts,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
CHECKOUT = Operation(
    "checkout",
    ("cartId",),
    "optional body",
    _checkout,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
APPLY_DISCOUNT_CODE = Operation(
    "apply_discount_code",
    ("cartId",),
    "body",
    _apply_discount_code,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
REMOVE_DISCOUNT_CODE = Operation(
    "remove_discount_code",
    ("cartId", "code"),
    "nothing",
    _remove_discount_code,
    conditional=True,
    keyed=True,
    answers=_answers_cart,
)
LIST_CUSTOMER_CARTS = Operation(
    "list_customer_carts", ("customerId",), "query", _list_customer_carts
)
LIST_MY_CARTS = Operation("list_my_carts", (), "query", _list_my_carts)
ADJUST_STOCK = Operation(
    "adjust_stock", (), "body", _adjust_stock, keyed=True, recall=_stock_as_now
)
"""IAM-only: a direct-invoke function, never a REST route."""

ALL = (
    CREATE_CART,
    GET_CART,
    DELETE_CART,
    UPDATE_CART,
    ADD_ITEM,
    CHANGE_ITEMS,
    UPDATE_CART_ITEM,
    REMOVE_ITEM,
    MERGE_CARTS,
    CHECKOUT,
    APPLY_DISCOUNT_CODE,
    REMOVE_DISCOUNT_CODE,
    LIST_CUSTOMER_CARTS,
    LIST_MY_CARTS,
    ADJUST_STOCK,
)


def _applied(cart_id: str, request: Incoming) -> Reply:
    """A change that committed, to a cart that could not be read back: 202, and where the
    cart is (a retry with the Idempotency-Key answers the full view)."""
    return Reply(
        202,
        {"cartId": cart_id, "applied": True},
        {"Location": f"{request.base_path}/carts/{cart_id}"},
    )
