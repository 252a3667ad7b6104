"""Agents' figures for `make bench`: UCP's MCP tool calls (POST /ucp/mcp) through the app's
handler, as Lambda hands them over.

- round trips of each cart tool, against what /carts needs for the same change;
- overhead of a tool call: the app's time over the same DynamoDB requests made bare;
- cold start: a fresh interpreter's import and first tool call, against the minimal app,
  and which of the agents' modules a /carts cold start loads (none should be).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from bench.calls import BareReplay, CallRecorder
from bench.harness import Api, Figures
from bench.request_path import add_overhead

PROFILE = {"ucp-agent": {"profile": "https://bench.example/.well-known/ucp"}}
LINES = [{"item": {"id": "ESP-1KG"}, "quantity": 1}, {"item": {"id": "MUG-CER"}, "quantity": 2}]
SAMPLES = 100


def tool_call(api: Api, name: str, **arguments: Any) -> dict[str, Any]:
    return timed_tool_call(api, name, **arguments)[0]


def timed_tool_call(api: Api, name: str, **arguments: Any) -> tuple[dict[str, Any], float]:
    """The tool's structured content, and the seconds the app's handler took."""
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": {"meta": PROFILE, **arguments}},
    }
    answer, seconds = api.timed_call("POST", "/ucp/mcp", message)
    content: dict[str, Any] = answer["result"]["structuredContent"]
    if content["ucp"].get("status") == "error":
        raise RuntimeError(f"{name}: {content['messages']}")
    return content, seconds


def new_cart(api: Api) -> str:
    return str(tool_call(api, "create_cart", cart={"line_items": LINES})["id"])


def measure_round_trips(api: Api, client: Any, figures: Figures) -> None:
    """Each tool's sequential round trips (prices cached, as in a warm container), against
    the /carts requests that make the same change."""
    counter = CallRecorder(simulated_latency=0.005)
    counter.attach(client)

    def trips(call: Callable[[], Any]) -> int:
        with counter.recording():
            call()
        return counter.round_trips

    cart = new_cart(api)
    key = {**PROFILE, "idempotency-key": str(uuid.uuid4())}
    replaced = [
        {"item": {"id": "MUG-CER"}, "quantity": 1},
        {"item": {"id": "SCALE-01"}, "quantity": 1},
    ]
    warm = new_cart(api)  # every product's price cached, as in a warm container
    tool_call(api, "update_cart", id=warm, cart={"line_items": replaced})
    counts = {
        "create_cart (2 lines)": (trips(lambda: new_cart(api)), 3, "create_cart + change_items"),
        "get_cart": (trips(lambda: tool_call(api, "get_cart", id=cart)), 1, "get_cart"),
        "update_cart (replace 2 lines)": (
            trips(lambda: tool_call(api, "update_cart", id=cart, cart={"line_items": replaced})),
            2,
            "change_items",
        ),
    }
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "cancel_cart", "arguments": {"meta": key, "id": cart}},
    }
    counts["cancel_cart (keyed)"] = (
        trips(lambda: api.call("POST", "/ucp/mcp", message)),
        3,
        "get_cart + keyed delete_cart",
    )
    counter.detach(client)
    for name, (count, target, same) in counts.items():
        figures.add(
            f"round trips: MCP tool {name} (/carts: {same})",
            count,
            "",
            f"at most {target}",
            count <= target,
        )


def measure_overhead(api: Api, client: Any, bare_client: Any, figures: Figures) -> None:
    """The get_cart tool's median time through the app (JSON-RPC in, UCP's cart out) over
    the median time of the same DynamoDB requests made bare, as the /carts overheads: each
    sample on a new pair of carts, deleted after it."""
    recorder = CallRecorder()
    recorder.attach(client)
    bare = BareReplay(bare_client)
    app_times: list[float] = []
    bare_times: list[float] = []
    while len(bare_times) < SAMPLES:
        ours, theirs = new_cart(api), new_cart(api)
        tool_call(api, "get_cart", id=ours)  # a warm container: prices cached
        with recorder.recording():
            app_times.append(timed_tool_call(api, "get_cart", id=ours)[1])
        bare_times.append(bare.seconds(recorder.waves, ours, theirs))
        for cart in (ours, theirs):  # keep the tables small: moto copies them per write
            api.call("DELETE", f"/carts/{cart}")
    recorder.detach(client)
    add_overhead(figures, "MCP tool get_cart", app_times, bare_times)


def report_modules(loaded: list[str], figures: Figures) -> None:
    """The agents' modules a /carts cold start imported (`loaded`): none, so /carts never
    pays for UCP."""
    figures.add(
        "agents' modules a /carts cold start imports (chalicelib.edge.ucp.*)",
        json.dumps(loaded),
        "",
        "none",
        loaded == [],
    )
