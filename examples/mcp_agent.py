"""An agent's session on the cart service's MCP endpoint, with the official MCP Python SDK.

    .venv/bin/python -m examples.mcp_agent http://127.0.0.1:8000/ucp/mcp

Connects (Streamable HTTP), lists the tools, creates a cart with two products, replaces
its lines, cancels it and reads it again, printing what each step answered: amounts are
UCP's integer minor units. Without a shopper's token (SHOPPER_TOKEN) the cart is a guest's:
its id is its key, so the agent keeps it.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from typing import Any

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

META = {"ucp-agent": {"profile": "https://agent.example/.well-known/ucp"}}


def summary(cart: dict[str, Any]) -> str:
    if cart["ucp"].get("status") == "error":
        return "error: " + ", ".join(m["code"] for m in cart["messages"])
    lines = ", ".join(
        f"{li['item']['id']} x{li['quantity']} at {li['item']['price']}"
        for li in cart["line_items"]
    )
    total = next(t["amount"] for t in cart["totals"] if t["type"] == "total")
    kind = "guest cart, id = its cart token" if cart["id"].startswith("cart.") else "cart"
    return f"{kind}; {lines}; total {total} {cart['currency']}"


async def shop(url: str) -> None:
    token = os.environ.get("SHOPPER_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        streamable_http_client(url, http_client=http) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        ready = await session.initialize()
        print(f"connected: {ready.server_info.name}, MCP {ready.protocol_version}")
        tools = await session.list_tools()
        print("tools:", ", ".join(tool.name for tool in tools.tools))

        async def call(name: str, **arguments: Any) -> dict[str, Any]:
            result = await session.call_tool(name, {"meta": META, **arguments})
            cart: dict[str, Any] = result.structured_content
            print(f"{name}: {summary(cart)}")
            return cart

        lines = [
            {"item": {"id": "ESP-1KG"}, "quantity": 2},
            {"item": {"id": "MUG-CER"}, "quantity": 1},
        ]
        cart = await call("create_cart", cart={"line_items": lines})
        print(f"  continue_url: {cart['continue_url'].split('&')[0]}&token=...")
        await call("update_cart", id=cart["id"], cart={"line_items": lines[1:]})
        key = {**META, "idempotency-key": str(uuid.uuid4())}
        canceled = await session.call_tool("cancel_cart", {"meta": key, "id": cart["id"]})
        print(f"cancel_cart: {summary(canceled.structured_content)} (as it was)")
        await call("get_cart", id=cart["id"])


if __name__ == "__main__":
    asyncio.run(shop(sys.argv[1]))
