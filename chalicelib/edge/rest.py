"""The REST transport: a request in, an operation run, a JSON or problem+json response out.

Routes call `answer` with their operation; a `CartServiceError` becomes its problem+json
answer. Errors Chalice answers on its own (an unsupported media type, a method not allowed,
an unhandled exception) are rewritten into problem+json by the middleware, so every error a
client sees has the same shape. The middleware also gives every response its request id and
writes one access log line.
"""

from __future__ import annotations

import logging
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

from chalicelib.domain.errors import CartServiceError, StorageUnavailable
from chalicelib.edge import logs, parsing
from chalicelib.edge.operations import Incoming, Operation, run
from chalicelib.edge.problems import PROBLEM_CONTENT_TYPE, problem_for, problem_for_status
from chalicelib.settings import APP_NAME, EdgeSettings
from chalicelib.wiring import Container

log = logging.getLogger(__name__)


def route_options(edge: EdgeSettings) -> dict[str, Any]:
    """The authorizer and CORS settings every route gets, as the stage configures them."""
    options: dict[str, Any] = {}
    if edge.api_auth == "iam":
        options["authorizer"] = IAMAuthorizer()
    elif edge.api_auth == "cognito" and edge.cognito_user_pool_arn:
        options["authorizer"] = CognitoUserPoolAuthorizer(
            f"{APP_NAME}-users", provider_arns=[edge.cognito_user_pool_arn]
        )
    if edge.cors_allow_origin:
        options["cors"] = CORSConfig(
            allow_origin=edge.cors_allow_origin,
            allow_headers=["Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["X-Request-Id", "Location", "ETag", "Retry-After"],
            max_age=600,
        )
    return options


def answer(app: Chalice, operation: Operation, services: Container) -> Response:
    """Run `operation` for the current request; its response, or its error's problem+json."""
    request = app.current_request
    assert request is not None, "answer() runs inside a route"
    try:
        built = services.get()
        reply = run(
            operation,
            incoming(request, operation),
            built.carts,
            built.idempotency,
            app.lambda_context,
        )
    except CartServiceError as error:
        headers = {}
        if isinstance(error, StorageUnavailable):
            headers["Retry-After"] = str(error.retry_after_seconds)
        return problem_response(problem_for(error), headers)
    if reply.body is None:
        return Response(body="", status_code=reply.status, headers=dict(reply.headers))
    return Response(
        reply.body,
        status_code=reply.status,
        headers={"Content-Type": "application/json", **reply.headers},
    )


def incoming(request: Request, operation: Operation) -> Incoming:
    """What the operation takes from the request: the transport's checks (the body is a
    JSON object, If-Match and Idempotency-Key are well-formed) come first."""
    headers = request.headers
    return Incoming(
        path=request.uri_params or {},
        body=json_body(request) if operation.takes == "body" else {},
        query=(request.query_params or {}) if operation.takes == "query" else {},
        expected_version=parsing.if_match(headers.get("if-match"))
        if operation.conditional
        else None,
        idempotency_key=(
            parsing.idempotency_key(headers.get("idempotency-key")) if operation.keyed else None
        ),
    )


def json_body(request: Request) -> dict[str, Any]:
    """The request's body, which must be a JSON object (INVALID_JSON otherwise)."""
    raw = request.raw_body
    return parsing.parse_json_object(raw.encode("utf-8") if isinstance(raw, str) else raw)


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
    with logs.access_log(
        log,
        request_id,
        ("method", "path", "status"),
        method=request.method,
        path=request.context.get("path"),
        route=request.path,
        cartId=(request.uri_params or {}).get("cartId"),
    ) as entry:
        response = _as_problem(get_response(request))
        response.headers["X-Request-Id"] = request_id
        entry["status"] = response.status_code
        return response


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
