"""The cart service's REST API: every route, what it reads and which operation it calls.

The contract is ../shared/cart-api.md (and openapi.yaml); the operations live in
chalicelib/service.py, input checks in chalicelib/validation.py, and the error-to-status
mapping in chalicelib/problems.py. Below the routes, the same operations as Lambda functions
for backends that invoke them directly with IAM (chalicelib/functions.py).
"""

import os
from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, Response

from chalicelib import functions, logs, rest, validation, views
from chalicelib.settings import EdgeSettings
from chalicelib.wiring import cart_service

app = Chalice(app_name="cart-service", configure_logs=False)
logs.configure(os.environ.get("LOG_LEVEL", "INFO"), app.log.name)
app.register_middleware(rest.request_context, "http")


ROUTE_OPTIONS = rest.route_options(EdgeSettings.from_environ())


def route(path: str, methods: list[str]) -> Callable[[rest.View], rest.View]:
    return rest.route(app, path, methods=methods, **ROUTE_OPTIONS)


def request_body() -> dict[str, Any]:
    return rest.json_body(app.current_request)


def expected_version() -> int | None:
    """The version the request's If-Match names, if any."""
    return rest.expected_version(app.current_request)


@route("/carts", methods=["POST"])
def create_cart() -> Response:
    body = request_body()
    command = validation.create_cart(body)

    def respond() -> Response:
        cart = cart_service().create_cart(command)
        return rest.cart_response(cart, 201, {"Location": f"/carts/{cart.cart.cart_id}"})

    return rest.respond_once(app, body, respond)


@route("/carts/{cartId}", methods=["GET"])
def get_cart(cartId: str) -> Response:
    return rest.cart_response(cart_service().get_cart(validation.cart_id(cartId)))


@route("/carts/{cartId}", methods=["DELETE"])
def delete_cart(cartId: str) -> Response:
    cart_id = validation.cart_id(cartId)
    cart_service().delete_cart(cart_id, expected_version())
    return Response(body="", status_code=204)


@route("/carts/{cartId}/items", methods=["POST"])
def add_item(cartId: str) -> Response:
    cart_id, body = validation.cart_id(cartId), request_body()
    command, version = validation.add_item(body), expected_version()

    def respond() -> Response:
        return rest.cart_response(cart_service().add_item(cart_id, command, version))

    return rest.respond_once(app, body, respond)


@route("/carts/{cartId}/items/{productId}", methods=["PUT"])
def update_cart_item(cartId: str, productId: str) -> Response:
    cart_id, product_id = validation.cart_id(cartId), validation.product_id(productId)
    command = validation.update_item(request_body())
    cart = cart_service().update_item(cart_id, product_id, command, expected_version())
    return rest.cart_response(cart)


@route("/carts/{cartId}/items/{productId}", methods=["DELETE"])
def remove_item(cartId: str, productId: str) -> Response:
    cart_id, product_id = validation.cart_id(cartId), validation.product_id(productId)
    return rest.cart_response(cart_service().remove_item(cart_id, product_id, expected_version()))


@route("/carts/{cartId}/merge", methods=["POST"])
def merge_carts(cartId: str) -> Response:
    cart_id, command = validation.cart_id(cartId), validation.merge_carts(request_body())
    return rest.cart_response(cart_service().merge_carts(cart_id, command, expected_version()))


@route("/carts/{cartId}/checkout", methods=["POST"])
def checkout(cartId: str) -> Response:
    cart_id = validation.cart_id(cartId)
    return rest.cart_response(cart_service().check_out(cart_id, expected_version()))


@route("/customers/{customerId}/carts", methods=["GET"])
def list_customer_carts(customerId: str) -> Response:
    customer_id = validation.customer_id(customerId)
    request = app.current_request
    query = validation.list_carts(request.query_params if request else None)
    page = cart_service().list_customer_carts(customer_id, query)
    return rest.json_response(views.carts_page(page.carts, page.next_token))


@app.lambda_function(name="create_cart")
def create_cart_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.create_cart, event, context)


@app.lambda_function(name="get_cart")
def get_cart_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.get_cart, event, context)


@app.lambda_function(name="add_item")
def add_item_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.add_item, event, context)


@app.lambda_function(name="update_cart_item")
def update_cart_item_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.update_cart_item, event, context)


@app.lambda_function(name="remove_item")
def remove_item_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.remove_item, event, context)


@app.lambda_function(name="delete_cart")
def delete_cart_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.delete_cart, event, context)


@app.lambda_function(name="merge_carts")
def merge_carts_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.merge_carts, event, context)


@app.lambda_function(name="checkout")
def checkout_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.checkout, event, context)


@app.lambda_function(name="list_customer_carts")
def list_customer_carts_function(event: Any, context: Any) -> Any:
    return functions.invoke(functions.list_customer_carts, event, context)
