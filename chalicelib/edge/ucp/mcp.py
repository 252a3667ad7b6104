"""UCP's MCP binding: a stateless Streamable HTTP endpoint (POST /ucp/mcp), one JSON-RPC
message in, one JSON answer out, so it runs in the Chalice app on Lambda.

Tools: UCP's cart tools (create_cart, get_cart, update_cart, cancel_cart), with the input
and output schemas of UCP's MCP binding (tools.json, written by tools/ucp/tool_schemas.py).
Every call names its agent in `meta["ucp-agent"].profile`; `meta["idempotency-key"]` is
REST's Idempotency-Key (cancel_cart requires it). A cart or a business outcome (not found,
a refused quantity) is the tool's result; a protocol error (401, key reuse, 429, 503) is a
JSON-RPC error -32000 (-32603 for 500) with the HTTP status UCP says, and a missing or
malformed profile is -32001.

The transport holds REST's bounds and MCP's own: a foreign Origin is 403, a body over
64 KiB 413, one not sent as JSON 415, one that does not parse -32700 (400), an unsupported
MCP-Protocol-Version 400, an id that is neither a string nor an integer -32600.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import Any

from chalice.app import Chalice, Response

from chalicelib import telemetry
from chalicelib.domain.errors import (
    CartServiceError,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from chalicelib.edge import documents, parsing, rest
from chalicelib.edge.operations import Incoming, Operation, Reply
from chalicelib.edge.problems import STATUS_AND_CODE
from chalicelib.edge.services import Container, Services
from chalicelib.edge.ucp import UCP_VERSION, operations, requests
from chalicelib.settings import APP_NAME, EdgeSettings

log = logging.getLogger(__name__)

PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")
"""MCP revisions this server speaks (the newest first), all with the initialize handshake."""
TOOLS_FILE = Path(__file__).with_name("tools.json")


@functools.cache
def tools() -> list[dict[str, Any]]:
    """The tools' definitions, read on the first tools/list (a tool call does not need
    them: its arguments are checked by the operation's own parsing)."""
    listed: list[dict[str, Any]] = json.loads(TOOLS_FILE.read_text())
    return listed


INSTRUCTIONS = (
    "A shop's cart, as UCP's cart capability (dev.ucp.shopping.cart "
    f"{UCP_VERSION}). Create a cart with line items, read it, replace its line items, "
    "cancel it. Amounts are integers in the currency's minor unit. Read `messages`: a "
    "changed price or short stock is reported there. Give the shopper `continue_url` to "
    "finish in the shop. Keep the cart's `id`: for a guest cart it is also its key."
)
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
UCP_ERROR, UCP_DISCOVERY_ERROR, INTERNAL_ERROR = -32000, -32001, -32603
JSON_RPC_ERRORS = {
    PARSE_ERROR: "PARSE_ERROR",
    INVALID_REQUEST: "INVALID_REQUEST",
    METHOD_NOT_FOUND: "METHOD_NOT_FOUND",
    INVALID_PARAMS: "INVALID_PARAMS",
    UCP_DISCOVERY_ERROR: "UCP_DISCOVERY_ERROR",
    INTERNAL_ERROR: "INTERNAL_ERROR",
}
"""A JSON-RPC error's code in the metrics."""


class _Refused(Exception):
    """A JSON-RPC error answer, with the HTTP status it goes with."""

    def __init__(self, code: int, message: str, status: int = 200, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.status, self.data = code, status, data
        self.headers: dict[str, str] = {}


def answer(app: Chalice, services: Container[Services], edge: EdgeSettings) -> Response:
    request = app.current_request
    assert request is not None, "answer() runs inside a route"
    telemetry.label(operation="mcp")
    message_id: Any = None
    try:
        message = _message(request, edge)
        message_id = message.get("id")
        if "id" not in message:  # a notification (notifications/initialized): no answer
            return Response(body="", status_code=202)
        result = _result(message, lambda: _call_tool(request, message, services, edge))
        return _rpc(200, {"jsonrpc": "2.0", "id": message_id, "result": result})
    except _Refused as refused:
        if refused.code in JSON_RPC_ERRORS:  # (a UCP error is labelled with its problem's)
            telemetry.label(code=JSON_RPC_ERRORS[refused.code])
        error: dict[str, Any] = {"code": refused.code, "message": str(refused)}
        if refused.data is not None:
            error["data"] = refused.data
        body = {"jsonrpc": "2.0", "id": message_id, "error": error}
        return _rpc(refused.status, body, refused.headers)


def _message(request: Any, edge: EdgeSettings) -> dict[str, Any]:
    """The request's one JSON-RPC message, after the transport's checks: its Origin (a
    browser's page on another site: 403, as MCP requires; none, a server-side agent: any),
    REST's body rules (64 KiB, sent as JSON, a JSON object of valid Unicode text: 413, 415,
    and -32700 for whatever does not parse, however deeply nested), the protocol version
    (400), and the message's form (-32600, its id a string or an integer)."""
    origin = request.headers.get("origin")
    if origin is not None and origin != edge.cors_allow_origin:
        raise _Refused(INVALID_REQUEST, f"requests from {origin} are not allowed", 403)
    try:
        message = rest.json_body(request)
    except (PayloadTooLarge, UnsupportedMediaType) as refused:
        status = STATUS_AND_CODE[type(refused)][0]
        raise _Refused(INVALID_REQUEST, refused.detail, status) from None
    except CartServiceError as unparsed:  # INVALID_JSON, or text that is not Unicode
        raise _Refused(PARSE_ERROR, unparsed.detail, 400) from None
    version = request.headers.get("mcp-protocol-version")
    if version is not None and version not in PROTOCOL_VERSIONS:
        raise _Refused(INVALID_REQUEST, f"MCP-Protocol-Version {version} is not supported", 400)
    if not (message.get("jsonrpc") == "2.0" and isinstance(message.get("method"), str)):
        raise _Refused(INVALID_REQUEST, "send one JSON-RPC 2.0 request or notification", 400)
    message_id = message.get("id")
    if "id" in message and (isinstance(message_id, bool) or not isinstance(message_id, str | int)):
        raise _Refused(INVALID_REQUEST, "a request's id is a string or an integer", 400)
    return message


def _result(message: dict[str, Any], call_tool: Any) -> dict[str, Any]:
    method, params = message["method"], message.get("params") or {}
    if method == "initialize":
        asked = params.get("protocolVersion") if isinstance(params, dict) else None
        return {
            "protocolVersion": asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0],
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": APP_NAME, "version": UCP_VERSION},
            "instructions": INSTRUCTIONS,
        }
    if method == "ping":
        return {}
    if method == "tools/list":
        return {"tools": tools()}
    if method == "tools/call":
        result: dict[str, Any] = call_tool()
        return result
    raise _Refused(METHOD_NOT_FOUND, f"no method {method}")


def _call_tool(
    request: Any, message: dict[str, Any], services: Container[Services], edge: EdgeSettings
) -> dict[str, Any]:
    params = message.get("params")
    name = params.get("name") if isinstance(params, dict) else None
    operation = operations.BY_TOOL.get(name) if isinstance(name, str) else None
    if operation is None or not isinstance(params, dict) or not isinstance(name, str):
        raise _Refused(INVALID_PARAMS, f"no tool {name}")
    telemetry.label(operation=operation.name)
    arguments = params.get("arguments")
    if not isinstance(arguments, dict):
        raise _Refused(INVALID_PARAMS, "arguments must be an object")
    try:
        profile = requests.meta_profile(arguments.get("meta"))
    except requests.ProfileInvalid as invalid:
        data = {"code": "invalid_profile_url", "content": str(invalid)}
        raise _Refused(UCP_DISCOVERY_ERROR, "UCP discovery failed", 400, data) from None
    telemetry.label(ucpAgent=profile)
    built = services.get()
    try:
        incoming = _incoming(
            request, operation, name, arguments, rest.caller_of(request, edge, built.verifier)
        )
    except CartServiceError as error:
        return _tool_result(operations.refused(error, operations.NOTHING_YET, protocol=True))
    try:
        reply = operations.run(operation, incoming, built)
    except Exception:  # a bug: JSON-RPC's internal error, as UCP says for a 500
        log.exception("%s failed", name)
        raise _Refused(INTERNAL_ERROR, "internal error", 500) from None
    return _tool_result(reply)


def _incoming(
    request: Any, operation: Operation, name: str, arguments: dict[str, Any], caller: Any
) -> Incoming:
    """The tool's arguments as the runner takes a request (MCP's `id` and `cart`)."""
    expected = {
        "meta",
        *(["id"] if operation.path else []),
        *(["cart"] if operation.takes == "body" else []),
    }
    unknown = sorted(set(arguments) - expected)
    missing = sorted(expected - set(arguments))
    if unknown or missing:
        raise _Refused(
            INVALID_PARAMS,
            f"{name} takes {sorted(expected)}",
            data={"unknown": unknown, "missing": missing},
        )
    cart = arguments.get("cart", {})
    if not isinstance(cart, dict) or "id" in cart:
        raise _Refused(
            INVALID_PARAMS, "cart must be an object without `id` (the cart's id is `id`)"
        )
    key = arguments["meta"].get("idempotency-key")
    if key is None and name == "cancel_cart":
        raise _Refused(INVALID_PARAMS, "cancel_cart needs meta.idempotency-key")
    try:
        key = parsing.idempotency_key(key, "meta.idempotency-key")
    except InvalidInput as invalid:
        raise _Refused(INVALID_PARAMS, invalid.detail) from None
    return Incoming(
        path={"id": arguments["id"]} if operation.path else {},
        body=cart,
        query={},
        expected_version=None,
        idempotency_key=key,
        caller=caller,
        base_path=rest.base_path(request),
        request_id=request.context.get("requestId"),
        client_address=rest.client_address(request),
    )


def _tool_result(reply: Reply) -> dict[str, Any]:
    if reply.status >= 400:  # a protocol error: the HTTP status first, then JSON-RPC's code
        data = dict(reply.body)
        if "Retry-After" in reply.headers:
            data["retry_after"] = int(reply.headers["Retry-After"])
        code = INTERNAL_ERROR if reply.status >= 500 and reply.status != 503 else UCP_ERROR
        refused = _Refused(code, str(reply.body["content"]), reply.status, data)
        refused.headers = {k: v for k, v in reply.headers.items() if k != "ETag"}
        raise refused
    return {
        "structuredContent": reply.body,
        "content": [{"type": "text", "text": documents.encode(reply.body)}],
        "isError": False,
    }


def _rpc(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        _with_content_encoded_once(body),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


_STRUCTURED = '"structuredContent":null'


def _with_content_encoded_once(body: dict[str, Any]) -> dict[str, Any] | str:
    """A tool's answer as its JSON, the content encoded once: its text content (which MCP
    asks for beside the structured content, for clients that read text only) is the
    structured content's JSON, so that JSON goes in as the structured content too. The
    first `"structuredContent":null` is the key's: inside a string, every quote is escaped.
    Any other answer as it is, for Chalice to encode."""
    result = body.get("result")
    if not (isinstance(result, dict) and "structuredContent" in result):
        return body
    text = result["content"][0]["text"]
    envelope = {**body, "result": {**result, "structuredContent": None}}
    encoded = documents.encode(envelope)
    return encoded.replace(_STRUCTURED, '"structuredContent":' + text, 1)
