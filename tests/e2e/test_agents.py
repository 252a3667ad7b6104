"""Agents as callers, over HTTP, in shopper mode (as `make run` serves it): the official MCP
Python SDK's client shops through /ucp/mcp, and /carts' access matrix holds for UCP's REST
binding and its MCP tools. Every UCP answer is checked against UCP's own schemas."""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
import requests
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp_types import TextContent

from chalicelib.domain.money import Money
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.edge.ucp import mcp as mcp_binding
from tests.e2e.conftest import Stack
from tests.e2e.test_access import (
    ANOTHER_SHOPPER,
    CALLERS,
    EXPIRED,
    FOREIGN_KEY,
    GUEST,
    NO_TOKEN,
    OTHER_GUEST,
    OWNER,
    Scene,
)
from tests.ucp_schemas import CART, ERROR_RESPONSE, errors

PROFILE = "https://agent.example/.well-known/ucp"
META = {"ucp-agent": {"profile": PROFILE}}
AGENT = {"UCP-Agent": f'profile="{PROFILE}"'}


@pytest.fixture
def scene(shopper_stack: Stack) -> Scene:
    """test_access.py's callers: Alice's cart, a guest's, and a token per caller."""
    return Scene(shopper_stack)


def conforms(document: dict[str, Any]) -> dict[str, Any]:
    schema = ERROR_RESPONSE if document["ucp"].get("status") == "error" else CART
    assert errors(document, schema) == []
    return document


def line_items(cart: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(li["id"], li["quantity"], li["item"]["price"]) for li in cart["line_items"]]


async def shop(stack: Stack) -> dict[str, Any]:
    """An agent's session with the official client: what it saw at each step."""
    seen: dict[str, Any] = {}
    async with (
        streamable_http_client(f"{stack.base_url}/ucp/mcp") as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        listed = await session.list_tools()
        seen["tools"] = {tool.name: tool for tool in listed.tools}

        async def call(name: str, **arguments: Any) -> dict[str, Any]:
            result = await session.call_tool(name, {"meta": META, **arguments})
            assert not result.is_error
            (text,) = result.content
            assert isinstance(text, TextContent)
            assert json.loads(text.text) == result.structured_content
            return conforms(result.structured_content)

        two = [
            {"item": {"id": "ESP-1KG"}, "quantity": 2},
            {"item": {"id": "MUG-CER"}, "quantity": 1},
        ]
        created = seen["created"] = await call("create_cart", cart={"line_items": two})
        seen["storefront"] = requests.get(  # the guest's cart, as the storefront reads it
            f"{stack.base_url}/carts/{created['id'].split('.')[2]}",
            headers={"Authorization": f"Bearer {created['id']}"},
            timeout=30,
        ).json()
        catalog = DynamoProductRepository(
            stack.dynamodb, stack.settings.products_table, stack.settings.stock_table
        )
        (beans,) = catalog.get_many(["ESP-1KG"]).values()
        catalog.put_many([beans._replace(unit_price=Money(Decimal("21.49"), "USD"))])
        try:
            seen["repriced"] = await call("get_cart", id=created["id"])
        finally:
            catalog.put_many([beans])
        kept = [{"item": {"id": "MUG-CER"}, "quantity": 3}]
        seen["updated"] = await call("update_cart", id=created["id"], cart={"line_items": kept})
        key = {**META, "idempotency-key": str(uuid.uuid4())}
        result = await session.call_tool("cancel_cart", {"meta": key, "id": created["id"]})
        seen["canceled"] = conforms(result.structured_content)
        seen["after"] = await call("get_cart", id=created["id"])
    return seen


def test_an_agent_shops_through_mcp_with_the_official_client(shopper_stack: Stack) -> None:
    seen = asyncio.run(shop(shopper_stack))
    tools = seen["tools"]
    assert sorted(tools) == ["cancel_cart", "create_cart", "get_cart", "update_cart"]
    for tool in mcp_binding.tools():  # the binding's schemas, as served
        assert tools[tool["name"]].input_schema == tool["inputSchema"]
        assert tools[tool["name"]].output_schema == tool["outputSchema"]
    created = seen["created"]
    assert line_items(created) == [("ESP-1KG", 2, 1999), ("MUG-CER", 1, 1200)]
    # Without a shopper's token the cart is a guest's: its id is its cart token, the
    # storefront opens it with that token, and /carts serves the same cart to it.
    assert created["id"].startswith("cart.")
    cart_id = created["id"].split(".")[2]
    assert created["continue_url"].endswith(f"/#cart={cart_id}&token={created['id']}")
    assert [(i["productId"], i["quantity"]) for i in seen["storefront"]["items"]] == [
        ("ESP-1KG", 2),
        ("MUG-CER", 1),
    ]
    (message,) = [m for m in seen["repriced"]["messages"] if m["code"] == "price_changed"]
    assert (message["type"], message["path"]) == ("warning", "$.line_items[0]")
    assert line_items(seen["repriced"])[0] == ("ESP-1KG", 2, 2149)
    assert line_items(seen["updated"]) == [("MUG-CER", 3, 1200)]
    assert line_items(seen["canceled"]) == [("MUG-CER", 3, 1200)]
    assert [m["code"] for m in seen["after"]["messages"]] == ["not_found"]


# -- who may call: /carts' matrix, on UCP's REST binding and MCP tools ----------------------


def ucp_rest(scene: Scene, caller: str, operation: str, cart: str) -> tuple[int, dict[str, Any]]:
    headers = dict(AGENT)
    token = scene.token(caller)
    if token and caller not in (GUEST, OTHER_GUEST):  # a guest's id is its key
        headers["Authorization"] = f"Bearer {token}"
    url = f"{scene.stack.base_url}/ucp/carts/{cart}"
    body: dict[str, Any] = {"line_items": [{"item": {"id": "MUG-CER"}, "quantity": 2}]}
    reply = {
        "get": lambda: requests.get(url, headers=headers, timeout=30),
        "update": lambda: requests.put(url, json=body, headers=headers, timeout=30),
        "cancel": lambda: requests.post(f"{url}/cancel", json={}, headers=headers, timeout=30),
    }[operation]()
    return reply.status_code, reply.json()


def ucp_mcp(scene: Scene, caller: str, operation: str, cart: str) -> tuple[int, dict[str, Any]]:
    headers = {"Accept": "application/json, text/event-stream"}
    token = scene.token(caller)
    if token and caller not in (GUEST, OTHER_GUEST):
        headers["Authorization"] = f"Bearer {token}"
    arguments: dict[str, Any] = {"meta": {**META, "idempotency-key": str(uuid.uuid4())}}
    arguments["id"] = cart
    if operation == "update":
        arguments["cart"] = {"line_items": [{"item": {"id": "MUG-CER"}, "quantity": 2}]}
    message: dict[str, Any] = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": f"{operation}_cart", "arguments": arguments},
    }
    reply = requests.post(
        f"{scene.stack.base_url}/ucp/mcp", json=message, headers=headers, timeout=30
    )
    answer = reply.json()
    return reply.status_code, answer.get("result", {}).get("structuredContent") or answer


def guest_ucp_id(scene: Scene, caller: str) -> str:
    """What a guest's agent holds for a cart: its token (the other guest: its own token,
    which names its own cart, so it asks for the guest's cart by its plain id)."""
    return scene.guest_token if caller == GUEST else scene.guest_cart


@pytest.mark.parametrize("transport", [ucp_rest, ucp_mcp], ids=["rest", "mcp"])
@pytest.mark.parametrize("operation", ["get", "update", "cancel"])
@pytest.mark.parametrize("caller", CALLERS)
def test_ucp_routes_answer_each_caller_as_carts_does(
    scene: Scene, transport: Any, operation: str, caller: str
) -> None:
    cart = guest_ucp_id(scene, caller) if caller in (GUEST, OTHER_GUEST) else scene.alice_cart
    target = scene.target(caller)
    before = scene.state(target, scene.owner_token(caller))
    status, document = transport(scene, caller, operation, cart)
    if caller in (OWNER, GUEST):
        assert status == 200
        assert conforms(document)["ucp"].get("status") != "error"
        return
    if caller in (EXPIRED, FOREIGN_KEY):  # a protocol error: 401, in either binding
        assert status == 401
        code = document["code"] if transport is ucp_rest else document["error"]["data"]["code"]
        assert code == "unauthorized"
    else:  # another's cart is, to this caller, a cart that does not exist
        assert caller in (ANOTHER_SHOPPER, OTHER_GUEST, NO_TOKEN)
        assert status == 200
        assert [m["code"] for m in conforms(document)["messages"]] == ["not_found"]
    assert scene.state(target, scene.owner_token(caller)) == before


def test_a_shoppers_agent_makes_the_shoppers_own_cart(shopper_stack: Stack) -> None:
    issuer = shopper_stack.issuer
    assert issuer is not None
    shopper = f"ada-{uuid.uuid4().hex[:8]}"
    token = issuer.token(shopper)
    created = requests.post(
        f"{shopper_stack.base_url}/ucp/carts",
        json={"line_items": [{"item": {"id": "ESP-1KG"}, "quantity": 1}]},
        headers={**AGENT, "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert created.status_code == 201
    cart = conforms(created.json())
    assert not cart["id"].startswith("cart.")  # a shopper's cart: its plain id
    mine = requests.get(
        f"{shopper_stack.base_url}/me/carts",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert [summary["cartId"] for summary in mine["carts"]] == [cart["id"]]
