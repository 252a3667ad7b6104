"""The MCP tools' schemas are UCP's, resolved for each operation as UCP resolves them."""

from typing import Any

from jsonschema import Draft202012Validator

from chalicelib.edge.ucp.mcp import tools
from tools.ucp import tool_schemas

META = {"ucp-agent": {"profile": "https://agent.example/profile"}}


def test_the_served_tools_are_what_ucps_schemas_give() -> None:
    assert tool_schemas.main(["--check"]) == 0
    assert [tool["name"] for tool in tools()] == [
        "create_cart",
        "get_cart",
        "update_cart",
        "cancel_cart",
    ]


def valid(tool: str, arguments: dict[str, Any]) -> bool:
    (schema,) = [t["inputSchema"] for t in tools() if t["name"] == tool]
    return bool(Draft202012Validator(schema).is_valid(arguments))


def test_the_input_schemas_take_ucps_requests_and_refuse_what_ucp_omits() -> None:
    line = {"item": {"id": "ESP-1KG"}, "quantity": 2}
    assert valid("create_cart", {"meta": META, "cart": {"line_items": [line]}})
    # A create names no cart id, and a line's item no price: the business sets those.
    assert not valid("create_cart", {"meta": META, "cart": {"id": "x", "line_items": [line]}})
    assert not valid("create_cart", {"meta": META, "cart": {"line_items": [{"quantity": 1}]}})
    assert not valid("create_cart", {"cart": {"line_items": [line]}})  # meta is required
    assert valid("update_cart", {"meta": META, "id": "c", "cart": {"line_items": [line]}})
    assert not valid("update_cart", {"meta": META, "cart": {"line_items": [line]}})
    # cancel_cart's meta needs an idempotency key, as UCP's binding states.
    assert not valid("cancel_cart", {"meta": META, "id": "c"})
    keyed = {**META, "idempotency-key": "3f1c2b7e-4a5d-4e6f-8a9b-0c1d2e3f4a5b"}
    assert valid("cancel_cart", {"meta": keyed, "id": "c"})
