"""The REST edge: JSON and problem+json responses, request ids, access logs.

Routes call the service and return `json_response`; a `CartServiceError` raised in a route
becomes its problem+json answer through `route`. Errors Chalice answers on its own (an
unsupported media type, a method not allowed, an unhandled exception) are rewritten into
problem+json by the middleware, so every error a client sees has the same shape.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from chalice.app import (
    Chalice,
    CognitoUserPoolAuthorizer,
    CORSConfig,
    IAMAuthorizer,
    Request,
    Response,
)

from chalicelib import idempotency, logs, validation, views
from chalicelib.errors import CartServiceError, StorageUnavailable
from chalicelib.idempotency import StoredResponse
from chalicelib.pricing import PricedCart
from chalicelib.problems import PROBLEM_CONTENT_TYPE, problem_for, problem_for_status
from chalicelib.settings import EdgeSettings

log = logging.getLogger(__name__)

View = Callable[..., Response]

_REPLAYED_HEADERS = {"Content-Type", "Location", "ETag"}


def route_options(edge: EdgeSettings) -> dict[str, Any]:
    """The authorizer and CORS settings every route gets, as the stage configures them."""
    options: dict[str, Any] = {}
    if edge.api_auth == "iam":
        options["authorizer"] = IAMAuthorizer()
    elif edge.api_auth == "cognito" and edge.cognito_user_pool_arn:
        options["authorizer"] = CognitoUserPoolAuthorizer(
            "cart-service-users", provider_arns=[edge.cognito_user_pool_arn]
        )
    if edge.cors_allow_origin:
        options["cors"] = CORSConfig(
            allow_origin=edge.cors_allow_origin,
            allow_headers=["Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["X-Request-Id", "Location", "ETag", "Retry-After"],
            max_age=600,
        )
    return options


def route(app: Chalice, path: str, **options: Any) -> Callable[[View], View]:
    """`app.route` for a view whose CartServiceErrors become problem+json responses."""

    def register(view: View) -> View:
        @functools.wraps(view)
        def answer(**path_parameters: str) -> Response:
            try:
                return view(**path_parameters)
            except CartServiceError as error:
                headers = {}
                if isinstance(error, StorageUnavailable):
                    headers["Retry-After"] = str(error.retry_after_seconds)
                return problem_response(problem_for(error), headers)

        app.route(path, **options)(answer)
        return view

    return register


def json_body(request: Request | None) -> dict[str, Any]:
    """The request's body, which must be a JSON object (INVALID_JSON otherwise)."""
    raw = request.raw_body if request is not None else b""
    return validation.parse_json_object(raw.encode("utf-8") if isinstance(raw, str) else raw)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body, status_code=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


def cart_response(
    priced: PricedCart, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The cart view, with its version as the ETag (what If-Match sends back)."""
    return json_response(
        views.cart_view(priced), status, {"ETag": f'"{priced.cart.version}"', **(headers or {})}
    )


def expected_version(request: Request | None) -> int | None:
    return validation.if_match(request.headers.get("if-match") if request else None)


def respond_once(app: Chalice, body: dict[str, Any], respond: Callable[[], Response]) -> Response:
    """`respond()`, or, when the request has an Idempotency-Key, the first response to it."""
    request = app.current_request
    key = validation.idempotency_key(request.headers.get("idempotency-key") if request else None)
    if key is None or request is None:
        return respond()

    def stored() -> StoredResponse:
        response = respond()
        kept = {k: v for k, v in response.headers.items() if k in _REPLAYED_HEADERS}
        return {"status": response.status_code, "headers": kept, "body": response.body}

    fingerprint = {"method": request.method, "path": request.context.get("path"), "body": body}
    answer = idempotency.respond_once(key, fingerprint, stored, app.lambda_context)
    return Response(answer["body"], status_code=answer["status"], headers=answer["headers"])


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        body,
        status_code=body["status"],
        headers={"Content-Type": PROBLEM_CONTENT_TYPE, **(headers or {})},
    )


def request_context(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Middleware: a request id on the response and every log line, one access log line."""
    # API Gateway's id for the request; chalice local has none, but gives a Lambda one.
    request_id = (
        request.context.get("requestId")
        or getattr(request.lambda_context, "aws_request_id", None)
        or str(uuid.uuid4())
    )
    token = logs.bind(requestId=request_id)
    started = time.perf_counter()
    try:
        response = _as_problem(get_response(request))
        response.headers["X-Request-Id"] = request_id
        log.info(
            "%s %s %s",
            request.method,
            request.context.get("path"),
            response.status_code,
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.context.get("path"),
                    "route": request.path,
                    "status": response.status_code,
                    "latencyMs": round((time.perf_counter() - started) * 1000, 1),
                    "cartId": (request.uri_params or {}).get("cartId"),
                }
            },
        )
        return response
    finally:
        logs.unbind(token)


def _as_problem(response: Response) -> Response:
    """Chalice's own error bodies ({"Code", "Message"}) rewritten as problem+json."""
    if response.status_code < 400 or response.headers.get("Content-Type") == PROBLEM_CONTENT_TYPE:
        return response
    message = response.body.get("Message", "") if isinstance(response.body, dict) else ""
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() != "content-type" and isinstance(value, str)
    }
    return problem_response(problem_for_status(response.status_code, message), headers)
