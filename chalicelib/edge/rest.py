"""The REST transport: a request in, an operation run, a JSON or problem+json response out.

Routes call `answer` with their operation; a `CartServiceError` becomes its problem+json
answer. Errors Chalice answers on its own (an unsupported media type, a method not allowed,
an unhandled exception) are rewritten into problem+json by the middleware, so every error a
client sees has the same shape. The middleware also gives every response its request id and
writes one access log line.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any

from chalice.app import (
    AuthRequest,
    AuthResponse,
    Chalice,
    CORSConfig,
    IAMAuthorizer,
    Request,
    Response,
)

from chalicelib import telemetry
from chalicelib.domain.access import ANONYMOUS_CALLER, TRUSTED_CALLER, Caller
from chalicelib.domain.errors import (
    CartBeingMerged,
    CartServiceError,
    PayloadTooLarge,
    StorageUnavailable,
    TooManyAttempts,
    Unauthenticated,
    UnsupportedMediaType,
)
from chalicelib.edge import documents, logs, parsing
from chalicelib.edge.auth import (
    WWW_AUTHENTICATE,
    TokenVerifier,
    Unauthorized,
    caller_from_context,
    context_for,
)
from chalicelib.edge.operations import Incoming, Operation
from chalicelib.edge.problems import PROBLEM_CONTENT_TYPE, problem_for_status, refusal
from chalicelib.edge.runner import run
from chalicelib.edge.services import Container, Services
from chalicelib.service import cart_tokens
from chalicelib.settings import EdgeSettings

MAX_BODY_BYTES = 64 * 1024


def route_options(edge: EdgeSettings, authorizer: Any) -> dict[str, Any]:
    """The authorizer and CORS settings the routes get, as the stage configures them; in
    shopper mode, `authorizer` checks the bearer token (every route but POST /carts)."""
    options: dict[str, Any] = {}
    if edge.api_auth == "iam":
        options["authorizer"] = IAMAuthorizer()
    elif edge.api_auth == "shopper":
        options["authorizer"] = authorizer
    if edge.cors_allow_origin:
        options["cors"] = CORSConfig(
            allow_origin=edge.cors_allow_origin,
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "UCP-Agent",  # an agent in a browser (UCP's REST binding)
            ],
            expose_headers=["X-Request-Id", "Location", "ETag", "Retry-After"],
            max_age=600,
        )
    return options


def create_cart_options(edge: EdgeSettings) -> dict[str, Any]:
    """POST /carts in shopper mode has no authorizer: a guest has no token yet."""
    return {"authorizer": None} if edge.api_auth == "shopper" else {}


def authorize(request: AuthRequest, services: Container[Services]) -> AuthResponse:
    """The authorizer: the caller its token names, to every route, in the context the routes
    read; a refused token is a 401 before any route runs."""
    try:
        caller, until = services.get().verifier.caller(request.token)
    except Unauthenticated:
        raise Unauthorized() from None
    return AuthResponse(routes=["*"], principal_id=caller.scope, context=context_for(caller, until))


def answer(
    app: Chalice, operation: Operation, services: Container[Services], edge: EdgeSettings
) -> Response:
    """Run `operation` for the current request; its response, or its error's problem+json.

    The checks come in the contract's order: who is calling (401), the request's form (400,
    413, 415), then the caller's access (403, 404) and the operation's own rules."""
    request = app.current_request
    assert request is not None, "answer() runs inside a route"
    telemetry.label(operation=operation.name)
    try:
        built = services.get()
        caller = caller_of(request, edge, built.verifier)
        reply = run(operation, incoming(request, operation, caller), built.carts, built.receipts)
    except CartServiceError as error:
        return problem_response(refusal(error), error_headers(error))
    if reply.body is None:
        return Response(body="", status_code=reply.status, headers=dict(reply.headers))
    return Response(
        documents.encode(reply.body),
        status_code=reply.status,
        headers={"Content-Type": "application/json", **reply.headers},
    )


def caller_of(request: Request, edge: EdgeSettings, verifier: TokenVerifier) -> Caller:
    """Who calls: trusted (IAM, or no checks), or in shopper mode the caller a token names
    (checked by the authorizer, or here on a route without one), or an anonymous guest."""
    if edge.api_auth != "shopper":
        return TRUSTED_CALLER
    authorized = request.context.get("authorizer")
    if authorized:  # checked by the authorizer (and cached by API Gateway per token)
        return verifier.still_valid(*caller_from_context(authorized))
    # POST /carts and the UCP routes, without an authorizer: a token is optional.
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS_CALLER
    return verifier.caller(header)[0]


def error_headers(error: CartServiceError) -> dict[str, str]:
    """What an error's answer carries besides its body: when to retry, how to authenticate."""
    if isinstance(error, StorageUnavailable | CartBeingMerged | TooManyAttempts):
        return {"Retry-After": str(error.retry_after_seconds)}
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": WWW_AUTHENTICATE}
    return {}


def incoming(request: Request, operation: Operation, caller: Caller) -> Incoming:
    """What the operation takes from the request: the transport's checks (the body is a
    JSON object of at most 64 KiB, If-Match and Idempotency-Key are well-formed) first."""
    headers = request.headers
    return Incoming(
        path=request.uri_params or {},
        body=json_body(request) if _takes_body(operation, request) else {},
        query=(request.query_params or {}) if operation.takes == "query" else {},
        expected_version=parsing.if_match(headers.get("if-match"))
        if operation.conditional
        else None,
        idempotency_key=(
            parsing.idempotency_key(headers.get("idempotency-key")) if operation.keyed else None
        ),
        caller=caller,
        base_path=base_path(request),
        request_id=request.context.get("requestId"),
        client_address=client_address(request),
    )


def client_address(request: Request) -> str | None:
    """The connection's source address, as API Gateway saw it (`sourceIp`: the peer of its
    connection, never a header the client wrote)."""
    identity = request.context.get("identity") or {}
    address = identity.get("sourceIp")
    return address if isinstance(address, str) and address else None


def base_path(request: Request) -> str:
    """`/api` when the request came through a deployed stage (its path carries the stage),
    empty locally: a Location must resolve under the stage prefix too."""
    stage = request.context.get("stage")
    path = request.context.get("path") or ""
    return f"/{stage}" if stage and path.startswith(f"/{stage}/") else ""


def _takes_body(operation: Operation, request: Request) -> bool:
    return operation.takes == "body" or (
        operation.takes == "optional body" and bool(request.raw_body)
    )


def json_body(request: Request) -> dict[str, Any]:
    """The request's body: at most 64 KiB, sent as JSON, a JSON object (INVALID_JSON
    otherwise). Chalice itself refuses a content type it has no parser for (415)."""
    raw = request.raw_body
    raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(MAX_BODY_BYTES)
    if raw and "content-type" not in request.headers:
        raise UnsupportedMediaType()
    return documents.parse_json_object(raw)


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        body,
        status_code=body["status"],
        headers={"Content-Type": PROBLEM_CONTENT_TYPE, **(headers or {})},
    )


Middleware = Callable[[Request, Callable[[Request], Response]], Response]


def access_logging(app: Chalice) -> Middleware:
    """The middleware of `app`'s routes: a request id on the response and every log line
    (and in the request's context, for the change's event), and one access line with the
    request's metrics, labelled from the start with its route's operation (the view's
    name), so that an answer Chalice gives before the view runs (its own 415) counts too."""

    def request_context(request: Request, get_response: Callable[[Request], Response]) -> Response:
        # API Gateway's id for the request; chalice local has none, but gives a Lambda one.
        request_id = (
            request.context.get("requestId")
            or getattr(request.lambda_context, "aws_request_id", None)
            or str(uuid.uuid4())
        )
        request.context["requestId"] = request_id
        path, cart_id = _logged_path(request)
        route = app.routes.get(request.path, {}).get(request.method)
        with logs.access_log(
            request_id,
            ("method", "path", "status"),
            operation=route.view_name if route is not None else None,
            method=request.method,
            path=path,
            route=request.path,
            cartId=cart_id,
        ) as entry:
            response = _as_problem(get_response(request))
            response.headers["X-Request-Id"] = request_id
            entry["status"] = response.status_code
            return response

    return request_context


def _logged_path(request: Request) -> tuple[str | None, str | None]:
    """The path and cart a log line names. A guest cart's UCP id is its cart token, a
    secret: the path names it as such (the UCP route labels the line with its cart)."""
    params = request.uri_params or {}
    return redacted_path(request.context.get("path")), params.get("cartId")


def redacted_path(path: str | None) -> str | None:
    """`path` with every segment that is, or decodes to, a cart token named as one: a
    client may percent-encode any of its characters (`%63art...`), so each segment is
    decoded (until it no longer changes) before it is looked at."""
    if path is None:
        return None
    segments = path.split("/")
    for index, segment in enumerate(segments):
        decoded, previous = segment, None
        while decoded != previous:
            previous, decoded = decoded, urllib.parse.unquote(decoded)
        if cart_tokens.looks_like_one(decoded):
            segments[index] = "{cart token}"
    return "/".join(segments)


def _as_problem(response: Response) -> Response:
    """Chalice's own error bodies ({"Code", "Message"}) rewritten as problem+json (a UCP
    route's protocol error, {"code", "content"}, and MCP's JSON-RPC error keep their own
    shapes)."""
    if response.status_code < 400 or response.headers.get("Content-Type") == PROBLEM_CONTENT_TYPE:
        return response
    if isinstance(response.body, dict) and {"content", "jsonrpc"} & response.body.keys():
        return response
    message = response.body.get("Message", "") if isinstance(response.body, dict) else ""
    problem = problem_for_status(response.status_code, message)
    telemetry.label(code=problem["code"])
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() != "content-type" and isinstance(value, str)
    }
    return problem_response(problem, headers)
