"""UCP's MCP binding in process: JSON-RPC's answers and errors as UCP's binding gives them
(the official client's session runs over HTTP in tests/e2e/test_agents.py)."""

import json
from typing import Any

from chalicelib.settings import Settings
from tests.integration.clients import JSON, Api, Reply

META = {"ucp-agent": {"profile": "https://agent.example/.well-known/ucp"}}
LINES = {"line_items": [{"item": {"id": "ESP-1KG"}, "quantity": 1}]}


def rpc(api: Api, method: str, params: Any = None, message_id: Any = 1) -> Reply:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if message_id is not None:
        message["id"] = message_id
    if params is not None:
        message["params"] = params
    return api.call("POST", "/ucp/mcp", message)


def tool(api: Api, name: str, **arguments: Any) -> Reply:
    return rpc(api, "tools/call", {"name": name, "arguments": arguments})


def test_initialize_ping_and_notifications(api: Api) -> None:
    known = rpc(api, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}})
    assert known.json["result"]["protocolVersion"] == "2025-06-18"
    assert known.json["result"]["capabilities"] == {"tools": {"listChanged": False}}
    unknown = rpc(api, "initialize", {"protocolVersion": "1999-01-01", "capabilities": {}})
    assert unknown.json["result"]["protocolVersion"] == "2025-11-25"
    assert "Mcp-Session-Id" not in known.headers  # stateless: no session to keep
    assert rpc(api, "ping").json == {"jsonrpc": "2.0", "id": 1, "result": {}}
    notified = rpc(api, "notifications/initialized", message_id=None)
    assert (notified.status_code, notified.body) == (202, b"")


def test_a_tool_answers_a_cart_or_a_business_outcome_as_its_result(api: Api) -> None:
    created = tool(api, "create_cart", meta=META, cart=LINES).json["result"]
    assert created["isError"] is False
    assert created["structuredContent"]["line_items"][0]["item"]["price"] == 1999
    missing = tool(api, "get_cart", meta=META, id="0b6f1c9e-3f0a-4c55-9d9b-6a3f5f1d2e7a")
    outcome = missing.json["result"]["structuredContent"]
    assert (missing.status_code, outcome["messages"][0]["code"]) == (200, "not_found")


def test_a_tools_text_content_is_its_structured_content_as_json_whatever_the_id(
    api: Api,
) -> None:
    """The answer encodes the cart once and writes that JSON as both; an id that spells out
    the key it goes under is still only an id."""
    created = tool(api, "create_cart", meta=META, cart=LINES).json["result"]
    cart_id = created["structuredContent"]["id"]
    for message_id in (7, '","structuredContent":null,"x":"', "structuredContent"):
        call = {"name": "get_cart", "arguments": {"meta": META, "id": cart_id}}
        answer = rpc(api, "tools/call", call, message_id=message_id).json
        assert answer["id"] == message_id
        (text,) = answer["result"]["content"]
        assert text["type"] == "text"
        assert json.loads(text["text"]) == answer["result"]["structuredContent"]
        assert answer["result"]["structuredContent"]["line_items"][0]["quantity"] == 1


def test_protocol_errors_are_json_rpc_errors_with_ucps_http_status(api: Api) -> None:
    no_profile = tool(api, "create_cart", meta={}, cart=LINES)
    assert no_profile.status_code == 400
    assert no_profile.json["error"]["code"] == -32001
    assert no_profile.json["error"]["data"]["code"] == "invalid_profile_url"

    key = {**META, "idempotency-key": "7d7c6f1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f"}
    first = tool(api, "create_cart", meta=key, cart=LINES)
    again = tool(api, "create_cart", meta=key, cart=LINES)
    assert again.json["result"] == first.json["result"]  # the first answer, replayed
    reused = tool(api, "create_cart", meta=key, cart={"line_items": []})
    assert reused.status_code == 409
    assert reused.json["error"]["code"] == -32000
    assert reused.json["error"]["data"]["code"] == "idempotency_key_reused"


def test_malformed_messages_and_arguments(api: Api) -> None:
    broken = api.call("POST", "/ucp/mcp", b"{not json")
    assert (broken.status_code, broken.json["error"]["code"]) == (400, -32700)
    not_rpc = api.call("POST", "/ucp/mcp", {"method": "ping"})
    assert (not_rpc.status_code, not_rpc.json["error"]["code"]) == (400, -32600)
    assert rpc(api, "resources/list").json["error"]["code"] == -32601
    assert tool(api, "checkout", meta=META).json["error"]["code"] == -32602
    # The binding's identifier pattern: the cart's id is `id`, never in `cart`.
    with_id = tool(api, "update_cart", meta=META, id="x", cart={**LINES, "id": "x"})
    assert with_id.json["error"]["code"] == -32602
    unkeyed = tool(api, "cancel_cart", meta=META, id="x")  # its key is required
    assert unkeyed.json["error"]["code"] == -32602
    extra = tool(api, "get_cart", meta=META, id="x", cart=LINES)
    assert extra.json["error"]["data"] == {"unknown": ["cart"], "missing": []}


def post(api: Api, body: bytes, **headers: str) -> Reply:
    """A POST to the MCP endpoint with exactly these headers."""
    response = api.client.http.request("POST", "/ucp/mcp", headers=headers, body=body)
    document = json.loads(response.body) if response.body else None
    return Reply(response.status_code, response.headers, response.body, document)


PING = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}'
CREATE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "create_cart", "arguments": {"meta": META, "cart": LINES}},
    }
).encode()


def test_the_transport_holds_rests_bounds_and_nothing_it_refuses_makes_a_cart(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    before = carts(dynamodb, settings)
    deep = b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": ' + b"[" * 1000 + b"]" * 1000
    answers = {
        "deep": post(api, deep + b"}", **JSON),
        "big": post(api, CREATE[:-1] + b', "pad": "' + b"x" * 64 * 1024 + b'"}', **JSON),
        "untyped": post(api, CREATE),
        "foreign": post(api, CREATE, **JSON, Origin="http://evil.example"),
        "old protocol": post(api, CREATE, **JSON, **{"MCP-Protocol-Version": "2024-01-01"}),
        "nan id": post(api, PING.replace(b"1", b"NaN"), **JSON),
        "object id": post(api, PING.replace(b"1", b'{"a": 1}'), **JSON),
        "boolean id": post(api, PING.replace(b"1", b"true"), **JSON),
    }
    statuses = {name: (a.status_code, a.json["error"]["code"]) for name, a in answers.items()}
    assert statuses == {
        "deep": (400, -32700),
        "big": (413, -32600),
        "untyped": (415, -32600),
        "foreign": (403, -32600),
        "old protocol": (400, -32600),
        "nan id": (400, -32700),
        "object id": (400, -32600),
        "boolean id": (400, -32600),
    }
    for answer in answers.values():
        assert answer.json["id"] is None and answer.json["jsonrpc"] == "2.0"
    assert carts(dynamodb, settings) == before
    # The stage's own storefront, and a server-side agent (no Origin), are served.
    own = post(api, CREATE, **JSON, Origin="http://127.0.0.1:8001")
    server_side = post(api, CREATE, **JSON, **{"MCP-Protocol-Version": "2025-06-18"})
    assert [own.status_code, server_side.status_code] == [200, 200]
    assert carts(dynamodb, settings) == before + 2


def carts(dynamodb: Any, settings: Settings) -> int:
    return int(dynamodb.scan(TableName=settings.carts_table, Select="COUNT")["Count"])
