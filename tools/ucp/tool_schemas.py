"""Write the MCP cart tools' definitions (chalicelib/edge/ucp/tools.json) from UCP's schemas.

    python -m tools.ucp.tool_schemas          # rewrite the file
    python -m tools.ucp.tool_schemas --check  # exit 1 when the file is not what they give

Each tool's parameters and result come from UCP's MCP binding (`mcp.openrpc.json`): `meta`
as the binding defines it, `id` for an existing cart, `cart` as `shopping/cart.json` resolved
for the operation. UCP annotates request fields with `ucp_request` (omit, required or
optional, per operation); this resolves them as UCP's own `ucp-schema resolve` does, and
bundles every schema a tool reaches into one self-contained document (JSON Schema 2020-12
embedded resources, each keeping its `$id`, so UCP's relative `$ref`s resolve unchanged).
"""

from __future__ import annotations

import json
import posixpath
import sys
from pathlib import Path
from typing import Any

UCP_VERSION = "2026-04-08"
SCHEMAS = Path(__file__).resolve().parents[2] / "ucp-schemas" / UCP_VERSION
TOOLS_FILE = Path(__file__).resolve().parents[2] / "chalicelib" / "edge" / "ucp" / "tools.json"
CART = "schemas/shopping/cart.json"
ERROR_RESPONSE = "schemas/shopping/types/error_response.json"
DESCRIPTIONS = {
    "create_cart": "Create a cart with line items; answers the cart with estimated totals.",
    "get_cart": "Get a cart's current state.",
    "update_cart": "Replace a cart's line items (send every line that should remain).",
    "cancel_cart": "Cancel a cart; answers its state before cancellation.",
}


def _load(path: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCHEMAS / path).read_text())
    return document


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _references(value)]
    return []


def _closure(roots: list[str], operation: str | None) -> list[str]:
    """Every schema file the roots reach as the operation sees them (cart.json's own
    `$defs.checkout` left out)."""
    seen: list[str] = []
    pending = list(roots)
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.append(path)
        for ref in _references(resolve(_without_checkout(path, _load(path)), operation)):
            target = ref.split("#")[0]
            if target:
                pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), target)))
    return sorted(seen)


def _without_checkout(path: str, schema: dict[str, Any]) -> dict[str, Any]:
    if path == CART:
        schema = {key: value for key, value in schema.items() if key != "$defs"}
    return schema


def _mode(annotation: Any, operation: str | None) -> str | None:
    if operation is None:
        return None  # a response: every field stays as the schema says
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, dict):
        return annotation.get(operation)
    return None


def resolve(node: Any, operation: str | None) -> Any:
    """The schema as a request of `operation` (create, update) sees it, or as a response
    (None): `ucp_request` omit drops a field, required and optional set whether it must
    be sent; the annotations themselves are dropped."""
    if isinstance(node, list):
        return [resolve(value, operation) for value in node]
    if not isinstance(node, dict):
        return node
    resolved = {
        key: resolve(value, operation) for key, value in node.items() if key != "ucp_request"
    }
    properties = node.get("properties")
    if isinstance(properties, dict):
        required = list(resolved.get("required", []))
        kept = {}
        for name, field in properties.items():
            mode = _mode(field.get("ucp_request") if isinstance(field, dict) else None, operation)
            if mode == "omit":
                required = [r for r in required if r != name]
                continue
            if mode == "required" and name not in required:
                required.append(name)
            if mode == "optional":
                required = [r for r in required if r != name]
            kept[name] = resolved["properties"][name]
        resolved["properties"] = kept
        if required:
            resolved["required"] = required
        else:
            resolved.pop("required", None)
    return resolved


def bundle(root: dict[str, Any], files: list[str], operation: str | None) -> dict[str, Any]:
    """`root` with every file embedded under `$defs` (by its path), resolved for the
    operation."""
    embedded = {}
    for path in files:
        schema = resolve(_without_checkout(path, _load(path)), operation)
        schema.pop("$schema", None)
        embedded[path.removeprefix("schemas/").removesuffix(".json").replace("/", ".")] = schema
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **root, "$defs": embedded}


def _meta(binding: dict[str, Any], key_required: bool) -> dict[str, Any]:
    meta = dict(binding["components"]["schemas"]["meta"])
    if key_required:  # cancel_cart's, as the binding states it
        meta["required"] = ["ucp-agent", "idempotency-key"]
    return meta


def tools() -> list[dict[str, Any]]:
    binding = _load("services/shopping/mcp.openrpc.json")
    methods = {method["name"]: method for method in binding["methods"]}
    cart_ref = {"$ref": f"https://ucp.dev/{CART}"}
    output = bundle(
        {
            "type": "object",
            "oneOf": [cart_ref, {"$ref": f"https://ucp.dev/{ERROR_RESPONSE}"}],
        },
        _closure([CART, ERROR_RESPONSE], None),
        None,
    )
    defined = []
    for name in ("create_cart", "get_cart", "update_cart", "cancel_cart"):
        params = {param["name"]: param for param in methods[name]["params"]}
        properties: dict[str, Any] = {"meta": _meta(binding, name == "cancel_cart")}
        if "id" in params:
            properties["id"] = {"type": "string", "description": "The cart's id."}
        operation = {"create_cart": "create", "update_cart": "update"}.get(name)
        files: list[str] = []
        if "cart" in params:
            # The binding's identifier pattern: `id` is a parameter, never in `cart`.
            properties["cart"] = {"allOf": [cart_ref], "not": {"required": ["id"]}}
            files = _closure([CART], operation)
        root = {"type": "object", "required": sorted(params), "properties": properties}
        input_schema: dict[str, Any] = bundle(root, files, operation) if files else root
        if files:
            cart = input_schema["$defs"]["shopping.cart"]
            cart["properties"].pop("id", None)  # in `cart` of neither create nor update
            cart["required"] = [field for field in cart["required"] if field != "id"]
        defined.append(
            {
                "name": name,
                "title": methods[name]["summary"],
                "description": DESCRIPTIONS[name],
                "inputSchema": input_schema,
                "outputSchema": output,
            }
        )
    return defined


def rendered() -> str:
    return json.dumps(tools(), sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    text = rendered()
    if "--check" in argv:
        if TOOLS_FILE.read_text() != text:
            print(f"{TOOLS_FILE} is stale: run python -m tools.ucp.tool_schemas", file=sys.stderr)
            return 1
        return 0
    TOOLS_FILE.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
