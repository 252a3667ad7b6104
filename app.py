"""The cart service's REST API: every route and the operation it runs.

openapi.yaml is the contract. Each route hands its operation (chalicelib/edge/operations.py:
what it parses and which service method it calls) to the REST transport; below the routes,
the same operations as Lambda functions for backends that invoke them directly with IAM.
"""

import os
from collections.abc import Callable
from typing import Any

from chalice.app import (
    AuthRequest,
    AuthResponse,
    Chalice,
    CloudWatchEvent,
    DynamoDBEvent,
    Rate,
    Response,
)

from chalicelib import wiring
from chalicelib.edge import background, invoke, logs, rest, ucp
from chalicelib.edge import operations as op
from chalicelib.edge.services import Container
from chalicelib.settings import APP_NAME, EdgeSettings, carts_stream_arn

app = Chalice(app_name=APP_NAME, configure_logs=False)
app.api.binary_types = []  # JSON in and out: no request or answer is binary (none base64)
logs.configure(os.environ.get("LOG_LEVEL", "INFO"), app.log.name)
app.register_middleware(rest.access_logging(app), "http")

services = Container(wiring.from_environment)
"""This container's services, built on the first request (tests hand in their own)."""
cart_events = Container(wiring.events_from_environment)
"""What the stream consumer and the abandoned-cart sweep run on, built on first use."""

EDGE = EdgeSettings.from_environ()


ROUTE_AUTHORIZER = None
if EDGE.api_auth == "shopper":  # deployed as a function of its own: only where it is used

    @app.authorizer(ttl_seconds=300)
    def shopper_token(auth_request: AuthRequest) -> AuthResponse:
        """Checks the bearer token of every route but POST /carts."""
        return rest.authorize(auth_request, services)

    ROUTE_AUTHORIZER = shopper_token

ROUTE_OPTIONS = rest.route_options(EDGE, ROUTE_AUTHORIZER)


def route(path: str, method: str, **options: Any) -> Callable[[Callable[..., Response]], Any]:
    return app.route(path, methods=[method], **{**ROUTE_OPTIONS, **options})


def answer(operation: op.Operation) -> Response:
    return rest.answer(app, operation, services, EDGE)


# A guest creates a cart without a token (the route checks an optional one itself).
@route("/carts", "POST", **rest.create_cart_options(EDGE))
def create_cart() -> Response:
    return answer(op.CREATE_CART)


@route("/carts/{cartId}", "GET")
def get_cart(cartId: str) -> Response:
    return answer(op.GET_CART)


@route("/carts/{cartId}", "DELETE")
def delete_cart(cartId: str) -> Response:
    return answer(op.DELETE_CART)


@route("/carts/{cartId}", "PATCH")
def update_cart(cartId: str) -> Response:
    return answer(op.UPDATE_CART)


@route("/carts/{cartId}/items", "POST")
def add_item(cartId: str) -> Response:
    return answer(op.ADD_ITEM)


@route("/carts/{cartId}/items", "PATCH")
def change_items(cartId: str) -> Response:
    return answer(op.CHANGE_ITEMS)


@route("/carts/{cartId}/items/{productId}", "PUT")
def update_cart_item(cartId: str, productId: str) -> Response:
    return answer(op.UPDATE_CART_ITEM)


@route("/carts/{cartId}/items/{productId}", "DELETE")
def remove_item(cartId: str, productId: str) -> Response:
    return answer(op.REMOVE_ITEM)


@route("/carts/{cartId}/merge", "POST")
def merge_carts(cartId: str) -> Response:
    return answer(op.MERGE_CARTS)


@route("/carts/{cartId}/checkout", "POST")
def checkout(cartId: str) -> Response:
    return answer(op.CHECKOUT)


@route("/carts/{cartId}/discount-codes", "POST")
def apply_discount_code(cartId: str) -> Response:
    return answer(op.APPLY_DISCOUNT_CODE)


@route("/carts/{cartId}/discount-codes/{code}", "DELETE")
def remove_discount_code(cartId: str, code: str) -> Response:
    return answer(op.REMOVE_DISCOUNT_CODE)


@route("/customers/{customerId}/carts", "GET")
def list_customer_carts(customerId: str) -> Response:
    return answer(op.LIST_CUSTOMER_CARTS)


@route("/me/carts", "GET")
def list_my_carts() -> Response:
    return answer(op.LIST_MY_CARTS)


# Agents: UCP's cart capability (chalicelib/edge/ucp), on the same operations and carts.
# Its modules load on a UCP route's first request: /carts requests never pay for them. Like
# POST /carts, the routes take a token when there is one (a guest agent has none).

AGENT_OPTIONS = rest.create_cart_options(EDGE)


def agent_answer(operation_name: str) -> Response:
    from chalicelib.edge.ucp import operations as ucp_operations
    from chalicelib.edge.ucp import rest as ucp_rest

    return ucp_rest.answer(app, getattr(ucp_operations, operation_name), services, EDGE)


@route(f"{ucp.REST_PREFIX}/carts", "POST", **AGENT_OPTIONS)
def ucp_create_cart() -> Response:
    return agent_answer("CREATE_CART")


@route(f"{ucp.REST_PREFIX}/carts/{{id}}", "GET", **AGENT_OPTIONS)
def ucp_get_cart(id: str) -> Response:
    return agent_answer("GET_CART")


@route(f"{ucp.REST_PREFIX}/carts/{{id}}", "PUT", **AGENT_OPTIONS)
def ucp_update_cart(id: str) -> Response:
    return agent_answer("UPDATE_CART")


@route(f"{ucp.REST_PREFIX}/carts/{{id}}/cancel", "POST", **AGENT_OPTIONS)
def ucp_cancel_cart(id: str) -> Response:
    return agent_answer("CANCEL_CART")


@route(ucp.MCP_PATH, "POST", **AGENT_OPTIONS)
def ucp_mcp() -> Response:
    from chalicelib.edge.ucp import mcp

    return mcp.answer(app, services, EDGE)


@app.route(ucp.PROFILE_PATH, methods=["GET"])
def ucp_profile() -> Response:
    """The business profile: public, and cached by shared caches, as UCP requires."""
    from chalicelib.edge.ucp import profile

    return profile.answer()


# The same operations as Lambda functions, one per operation (Chalice needs each by name).


@app.lambda_function(name="create_cart")
def create_cart_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.CREATE_CART, event, context, services)


@app.lambda_function(name="get_cart")
def get_cart_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.GET_CART, event, context, services)


@app.lambda_function(name="update_cart")
def update_cart_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.UPDATE_CART, event, context, services)


@app.lambda_function(name="add_item")
def add_item_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.ADD_ITEM, event, context, services)


@app.lambda_function(name="change_items")
def change_items_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.CHANGE_ITEMS, event, context, services)


@app.lambda_function(name="update_cart_item")
def update_cart_item_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.UPDATE_CART_ITEM, event, context, services)


@app.lambda_function(name="remove_item")
def remove_item_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.REMOVE_ITEM, event, context, services)


@app.lambda_function(name="delete_cart")
def delete_cart_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.DELETE_CART, event, context, services)


@app.lambda_function(name="merge_carts")
def merge_carts_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.MERGE_CARTS, event, context, services)


@app.lambda_function(name="checkout")
def checkout_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.CHECKOUT, event, context, services)


@app.lambda_function(name="apply_discount_code")
def apply_discount_code_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.APPLY_DISCOUNT_CODE, event, context, services)


@app.lambda_function(name="remove_discount_code")
def remove_discount_code_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.REMOVE_DISCOUNT_CODE, event, context, services)


@app.lambda_function(name="list_customer_carts")
def list_customer_carts_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.LIST_CUSTOMER_CARTS, event, context, services)


# The shop's restocks, returns and shrinkage: IAM only, with no REST route (docs/stock.md).
@app.lambda_function(name="adjust_stock")
def adjust_stock_function(event: Any, context: Any) -> Any:
    return invoke.answer(op.ADJUST_STOCK, event, context, services)


# Interrupted merges finish without a client: a merge in steps that a client never retried
# (or whose function died) still locks its two carts; every minute, the sweeper finishes the
# ones over a minute old.


@app.schedule(Rate(1, unit=Rate.MINUTES), name="finish_stalled_merges")
def finish_stalled_merges(event: CloudWatchEvent) -> None:
    background.finish_stalled_merges(services, event.context)


# Lapsed holds give their units back without a client: every minute, the sweep releases the
# holds whose window passed (and every hold of a cart deleted or expired).


@app.schedule(Rate(1, unit=Rate.MINUTES), name="release_lapsed_holds")
def release_lapsed_holds(event: CloudWatchEvent) -> None:
    background.release_lapsed_holds(services, event.context)


@app.on_dynamodb_record(
    stream_arn=carts_stream_arn(),
    batch_size=100,
    starting_position="TRIM_HORIZON",
    name="publish_cart_events",
)
def publish_cart_events(event: DynamoDBEvent) -> dict[str, Any]:
    """Every committed cart change, from the Carts stream, as one event on the stage's bus."""
    return background.publish_records(
        (record.to_dict() for record in event), cart_events, event.context
    )


@app.schedule(Rate(5, unit=Rate.MINUTES), name="mark_abandoned_carts")
def mark_abandoned_carts(event: CloudWatchEvent) -> None:
    background.mark_abandoned_carts(cart_events, event.context)
