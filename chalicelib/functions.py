"""Direct invocation of the operations as Lambda functions, for backends that call with IAM.

Each function takes the REST body with the path parameters as fields (`{"cartId": "...",
"productId": "...", "quantity": 2}`) and returns what the REST API would: the cart view, or
the same problem object on an error (`{"status": 404, "code": "CART_NOT_FOUND", ...}`);
delete_cart returns null. Errors are returned, not raised, so a caller branches on `code`
just as a REST client does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from chalicelib import logs, validation, views
from chalicelib.errors import CartServiceError, FieldError, InvalidInput, InvalidJson
from chalicelib.problems import problem_for
from chalicelib.wiring import cart_service

log = logging.getLogger(__name__)

Event = dict[str, Any]


def invoke(operation: Callable[[Event], Any], event: Any, context: Any) -> Any:
    """Run one operation for a Lambda event: the result, or the problem object of its error."""
    token = logs.bind(requestId=getattr(context, "aws_request_id", None))
    started = time.perf_counter()
    outcome = "OK"
    try:
        if not isinstance(event, dict):
            raise InvalidJson("the event is not a JSON object")
        return operation(event)
    except CartServiceError as error:
        problem = problem_for(error)
        outcome = problem["code"]
        return problem
    finally:
        log.info(
            "%s %s",
            operation.__name__,
            outcome,
            extra={
                "fields": {
                    "function": operation.__name__,
                    "outcome": outcome,
                    "latencyMs": round((time.perf_counter() - started) * 1000, 1),
                    "cartId": event.get("cartId") if isinstance(event, dict) else None,
                }
            },
        )
        logs.unbind(token)


def create_cart(event: Event) -> Any:
    return views.cart_view(cart_service().create_cart(validation.create_cart(event)))


def get_cart(event: Event) -> Any:
    (cart_id,), _ = _path_fields(event, "cartId", body=False)
    return views.cart_view(cart_service().get_cart(cart_id))


def add_item(event: Event) -> Any:
    (cart_id,), body = _path_fields(event, "cartId")
    command = validation.add_item(body)
    return views.cart_view(cart_service().add_item(cart_id, command))


def update_cart_item(event: Event) -> Any:
    (cart_id, product_id), body = _path_fields(event, "cartId", "productId")
    command = validation.update_item(body)
    return views.cart_view(cart_service().update_item(cart_id, product_id, command))


def remove_item(event: Event) -> Any:
    (cart_id, product_id), _ = _path_fields(event, "cartId", "productId", body=False)
    return views.cart_view(cart_service().remove_item(cart_id, product_id))


def delete_cart(event: Event) -> None:
    (cart_id,), _ = _path_fields(event, "cartId", body=False)
    cart_service().delete_cart(cart_id)


def merge_carts(event: Event) -> Any:
    (cart_id,), body = _path_fields(event, "cartId")
    command = validation.merge_carts(body)
    return views.cart_view(cart_service().merge_carts(cart_id, command))


def checkout(event: Event) -> Any:
    (cart_id,), _ = _path_fields(event, "cartId", body=False)
    return views.cart_view(cart_service().check_out(cart_id))


def list_customer_carts(event: Event) -> Any:
    (customer_id,), query = _path_fields(event, "customerId")
    wrong = [key for key, value in query.items() if not isinstance(value, str | int)]
    if wrong:
        raise InvalidInput([FieldError(key, "must be a string or an integer") for key in wrong])
    page = cart_service().list_customer_carts(
        customer_id, validation.list_carts({key: str(value) for key, value in query.items()})
    )
    return views.carts_page(page.carts, page.next_token)


_PATH_CHECKS = {
    "cartId": validation.cart_id,
    "productId": validation.product_id,
    "customerId": validation.customer_id,
}


def _path_fields(event: Event, *names: str, body: bool = True) -> tuple[list[str], Event]:
    """The event's path parameters, validated, and the rest of it (the REST body)."""
    missing = [FieldError(name, "is required") for name in names if name not in event]
    if missing:
        raise InvalidInput(missing)
    values = [_PATH_CHECKS[name](event[name]) for name in names]
    rest = {key: value for key, value in event.items() if key not in names}
    if not body and rest:
        raise InvalidInput([FieldError(key, "is not a known field") for key in sorted(rest)])
    return values, rest
